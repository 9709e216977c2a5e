import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closureCommand } from "../../src/cli/closure-command.js";
import { DockerCli } from "../../src/deploy/docker.js";
import { removeStack } from "../../src/deploy/swarm-remove.js";
import type { ClosureReport } from "../../src/ops/closure.js";
import { randomHex, stackName } from "../../src/recipe/naming.js";
import { writeJournal } from "../ops/fakes.js";
import { leftovers } from "./support/swarm.js";

const docker = new DockerCli();
const base = `ops-${randomHex()}.test`; // a domain of this suite alone: the orphan search sees only ours
const leaked = stackName(`clos-${randomHex()}.${base}`);
const orphan = stackName(`clos-${randomHex()}.${base}`);
const unfinished = stackName(`clos-${randomHex()}.${base}`);
const warm = stackName(`warm-clos${randomHex()}.${base}`);
const stateDir = mkdtempSync(join(tmpdir(), "ccci-closure-e2e-"));
const env = { ...process.env, CCCI_STATE_DIR: stateDir, CCCI_DOMAIN: base, LOG_LEVEL: "warn" as const };

const compose = `version: "3.8"
services:
  app:
    image: ccci/busybox:local
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    volumes: [data:/data]
    secrets: [db_password]
    configs: [motd]
volumes:
  data:
secrets:
  db_password:
    file: ./password
configs:
  motd:
    file: ./motd
`;

async function until(what: string, check: () => Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Runs `ccci closure` in this process and returns its exit code and its `--json` report. */
async function closure(...args: string[]) {
  const printed: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((text: string) => printed.push(text));
  try {
    const code = await closureCommand([...args, "--json"], env);
    return { code, report: JSON.parse(printed.join("\n")) as ClosureReport & { fixes?: unknown[] } };
  } finally {
    spy.mockRestore();
  }
}

describe("ccci closure on the real swarm", () => {
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "ccci-closure-stack-"));
    writeFileSync(join(dir, "compose.yml"), compose);
    writeFileSync(join(dir, "password"), randomHex(32));
    writeFileSync(join(dir, "motd"), "hello\n");
    // A finished run whose teardown "failed": its whole stack is still deployed.
    await execa("docker", ["stack", "deploy", "--compose-file", "compose.yml", leaked], { cwd: dir });
    await until("the leaked stack's volume", async () =>
      (await leftovers(leaked)).includes(`${leaked}_data`),
    );
    writeJournal(stateDir, "20261127T100000-c10500", { stack: leaked, state: "passed" });
    // A live run: its secret must be neither reported nor removed.
    await docker.createSecret(`${unfinished}_db_password_v1`, randomHex(16), {});
    writeJournal(stateDir, "20261127T100100-c10501", { stack: unfinished });
    // A canonical's volume, named in a finished quick run's journal: warm data is never a leak.
    await execa("docker", ["volume", "create", `${warm}_data`]);
    writeJournal(stateDir, "20261127T100200-c10502", { stack: warm, state: "failed" });
    // A cold-shaped stack no journal knows (a lost state dir).
    await execa("docker", ["volume", "create", `${orphan}_data`]);
    await execa("docker", ["network", "create", "--driver", "overlay", `${orphan}_default`]);
  });

  afterAll(async () => {
    for (const stack of [leaked, orphan, unfinished, warm]) await removeStack(docker, stack, 60_000);
  });

  it("reports every kind of object the finished run left, and exits 1", async () => {
    const { code, report } = await closure();
    expect(code).toBe(1);
    expect(report.leaks).toHaveLength(1);
    const [leak] = report.leaks;
    expect(leak).toMatchObject({ stack: leaked, runId: "20261127T100000-c10500" });
    expect(leak!.resources).toMatchObject({
      stacks: [leaked],
      services: [`${leaked}_app`],
      volumes: [`${leaked}_data`],
      secrets: [`${leaked}_db_password`],
      configs: [`${leaked}_motd`],
      networks: [`${leaked}_default`],
    });
    expect(leak!.resources.containers.length).toBeGreaterThanOrEqual(1);
    expect(report.orphans).toEqual([]);
  });

  it("reports the journal-less cold-shaped stack only with --orphans", async () => {
    const { report } = await closure("--orphans");
    expect(report.orphans.map((o) => [o.stack, o.resources.volumes, o.resources.networks])).toEqual([
      [orphan, [`${orphan}_data`], [`${orphan}_default`]],
    ]);
  });

  it("never reports the warm volume or the live run", async () => {
    const { report } = await closure("--orphans");
    const text = JSON.stringify(report);
    expect(text).not.toContain(warm);
    expect(text).not.toContain(unfinished);
  });

  it("--fix removes the leaks and orphans, exits 0, and leaves warm data and live runs alone", async () => {
    const { code, report } = await closure("--fix", "--orphans");
    expect(code).toBe(0);
    expect(report.fixes).toHaveLength(2);
    expect(await leftovers(leaked)).toEqual([]);
    expect(await leftovers(orphan)).toEqual([]);
    expect(await leftovers(warm)).toEqual([`${warm}_data`]);
    expect(await leftovers(unfinished)).toEqual([`${unfinished}_db_password_v1`]);
    const after = await closure("--orphans");
    expect(after.code).toBe(0);
    expect([...after.report.leaks, ...after.report.orphans]).toEqual([]);
  });
});
