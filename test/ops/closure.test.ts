import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkClosure, coldStackPattern } from "../../src/ops/closure.js";
import { RecordingDocker, writeJournal } from "./fakes.js";

const finished = "hell-aaaaaa_ci_localhost";
const live = "hell-bbbbbb_ci_localhost";
const orphan = "gite-cccccc_ci_localhost";
const otherBase = "gite-dddddd_ci_example_org";
const warm = "warm-hello_ci_localhost";

/** A swarm holding leftovers of every kind, tab-separated `name<TAB>namespace` like `--format` prints. */
const swarm = {
  "stack ls": { stdout: [finished, live, warm, "kc-95643e_ci_localhost"].join("\n") },
  "service ls": { stdout: [`${finished}_app`, `${live}_app`, `${warm}_app`].join("\n") },
  ps: {
    stdout: [`${finished}_app.1.x1y2\t${finished}`, `${live}_app.1.z9\t${live}`, "angry_clarke\t"].join("\n"),
  },
  "volume ls": {
    stdout: [
      `${finished}_data\t${finished}`,
      `${finished}_overlay\t`,
      `${warm}_data\t${warm}`,
      `${orphan}_data\t`,
      `${otherBase}_data\t`,
      "build-cache-volume\t",
    ].join("\n"),
  },
  "secret ls": { stdout: [`${finished}_db_password_v1\t`, `${live}_db_password_v1\t`].join("\n") },
  "config ls": { stdout: `renamed-config\t${finished}` },
  "network ls": {
    stdout: [`${finished}_default\t${finished}`, "proxy\t", "ingress\t", `${orphan}_default\t${orphan}`].join(
      "\n",
    ),
  },
};

function stateWithJournals() {
  const stateDir = mkdtempSync(join(tmpdir(), "ccci-closure-"));
  writeJournal(stateDir, "20261127T100000-aaaaaa", { stack: finished, state: "passed" });
  writeJournal(stateDir, "20261127T100500-bbbbbb", { stack: live });
  writeJournal(stateDir, "20261127T101000-eeeeee", { stack: warm, state: "failed" });
  return stateDir;
}

function dockerWith(overlayDevice = "") {
  return new RecordingDocker({
    ...swarm,
    "volume inspect": (args) => ({
      stdout: args.at(-1) === `${finished}_overlay` ? JSON.stringify({ device: overlayDevice }) : "null",
    }),
  });
}

describe("closure check", () => {
  it("lists every kind of object a finished run's stack left, by label or by name", async () => {
    const report = await checkClosure({ docker: dockerWith(), stateDir: stateWithJournals() });
    expect(report.finishedRuns).toBe(2);
    expect(report.leaks).toEqual([
      {
        stack: finished,
        runId: "20261127T100000-aaaaaa",
        files: [],
        resources: {
          stacks: [finished],
          services: [`${finished}_app`],
          containers: [`${finished}_app.1.x1y2`],
          volumes: [`${finished}_data`, `${finished}_overlay`],
          secrets: [`${finished}_db_password_v1`],
          configs: ["renamed-config"],
          networks: [`${finished}_default`],
        },
      },
    ]);
  });

  it("leaves runs that have not finished to the engine and crash recovery", async () => {
    const report = await checkClosure({ docker: dockerWith(), stateDir: stateWithJournals() });
    expect(JSON.stringify(report)).not.toContain(live);
  });

  it("never reports a warm canonical, even when a finished quick run's journal names its stack", async () => {
    const report = await checkClosure({
      docker: dockerWith(),
      stateDir: stateWithJournals(),
      orphans: true,
      baseDomain: "ci.localhost",
    });
    expect(JSON.stringify(report)).not.toContain("warm-");
  });

  it("never reports a volume whose data lives in the snapshot store", async () => {
    const stateDir = stateWithJournals();
    const device = join(stateDir, "snapshots", "hello", "layers", "l1", "data", "upper");
    const report = await checkClosure({ docker: dockerWith(device), stateDir });
    expect(report.leaks[0]!.resources.volumes).toEqual([`${finished}_data`]);
  });

  it("lists stacks shaped like a cold run with no journal only when asked, and only under our domain", async () => {
    const stateDir = stateWithJournals();
    const without = await checkClosure({ docker: dockerWith(), stateDir });
    expect(without.orphans).toEqual([]);
    const withOrphans = await checkClosure({
      docker: dockerWith(),
      stateDir,
      orphans: true,
      baseDomain: "ci.localhost",
    });
    expect(
      withOrphans.orphans.map((o) => [o.stack, o.runId, o.resources.volumes, o.resources.networks]),
    ).toEqual([
      [orphan, undefined, [`${orphan}_data`], [`${orphan}_default`]],
      ["kc-95643e_ci_localhost", undefined, [], []],
    ]);
  });

  it("reports an env file a finished run recorded that is still on disk", async () => {
    const stateDir = stateWithJournals();
    const envFile = join(stateDir, "servers", "default", "hell-ffffff.ci.localhost.env");
    mkdirSync(join(stateDir, "servers", "default"), { recursive: true });
    writeFileSync(envFile, "TYPE=hello\n");
    writeJournal(stateDir, "20261127T102000-ffffff", {
      stack: "hell-ffffff_ci_localhost",
      state: "passed",
      resources: [
        { kind: "envfile", name: envFile },
        { kind: "envfile", name: join(stateDir, "gone.env") },
      ],
    });
    const report = await checkClosure({ docker: dockerWith(), stateDir });
    expect(report.leaks.find((l) => l.stack === "hell-ffffff_ci_localhost")?.files).toEqual([envFile]);
  });

  it("is clean when nothing of a finished run is left", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "ccci-closure-"));
    writeJournal(stateDir, "20261127T100000-aaaaaa", { stack: "hell-999999_ci_localhost", state: "passed" });
    const report = await checkClosure({ docker: dockerWith(), stateDir });
    expect(report).toMatchObject({ finishedRuns: 1, leaks: [], orphans: [] });
  });
});

describe("cold stack shape", () => {
  it.each([
    ["hell-a1b2c3_ci_localhost", "ci.localhost", "hell-a1b2c3_ci_localhost"],
    ["hell-a1b2c3_ci_localhost_app_data", "ci.localhost", "hell-a1b2c3_ci_localhost"],
    ["n-0f0f0f_ci_example_org_default", "ci.example.org", "n-0f0f0f_ci_example_org"],
    ["warm-hello_ci_localhost", "ci.localhost", undefined],
    ["hell-a1b2c3_ci_localhostx", "ci.localhost", undefined],
    ["hello-a1b2c3_ci_localhost", "ci.localhost", undefined],
    ["hell-A1B2C3_ci_localhost", "ci.localhost", undefined],
  ])("%s under %s -> %s", (name, base, stack) => {
    expect(coldStackPattern(base).exec(name)?.[1]).toBe(stack);
  });
});
