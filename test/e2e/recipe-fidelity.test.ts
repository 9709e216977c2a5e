import { describe, expect, it } from "vitest";
import type { Run } from "../../src/engine/run.js";
import { ccci, fixture } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";

const outcome = (run: Run | undefined) => run?.asserts.map((a) => [a.name, a.passed]);
const detail = (run: Run | undefined, name: string) =>
  run?.asserts.find((a) => a.name === name)?.detail ?? "";

async function coldRun(name: string) {
  const result = await ccci(["run", fixture(name), "--json"]);
  expect(result.run, result.stderr).toBeDefined();
  expect(await leftovers(result.run!.stack!)).toEqual([]);
  return result;
}

const allGenericPass = [
  ["generic:converged", true],
  ["generic:healthy", true],
  ["generic:http", true],
  ["generic:settled", true],
];

/** Recipes shaped like the Co-op Cloud catalogue, deployed as abra would, each followed by a closure check. */
describe("recipes shaped like the catalogue, on the real swarm", () => {
  it("envchain (bonfire's COMPOSE_FILE chaining) deploys its postgres overlay and the overlay's secret", async () => {
    const { exitCode, run } = await coldRun("envchain");
    expect(run!.state, run!.reason).toBe("passed");
    expect(exitCode).toBe(0);
    expect(outcome(run)).toEqual(allGenericPass);
    expect(detail(run, "generic:converged")).toMatch(/_db 1\/1/);
    expect(run!.steps.find((s) => s.name === "plan head")?.detail).toMatch(/2 services, 2 secrets/);
  });

  it("lemp (custom-php's shape) converges its three services across an internal network", async () => {
    const { run } = await coldRun("lemp");
    expect(run!.state, run!.reason).toBe("passed");
    expect(detail(run, "generic:healthy")).toBe("app: healthy; php: healthy; db: healthy");
    expect(detail(run, "generic:http")).toMatch(/^HTTP 200 from app:80/);
  });

  it("anchors reads its port and healthcheck through YAML merge keys", async () => {
    const { run } = await coldRun("anchors");
    expect(run!.state, run!.reason).toBe("passed");
    expect(detail(run, "generic:http")).toMatch(/^HTTP 200 from app:8080/);
  });

  it("envtemplate renders {{ env }} in a golang config template from the app env abra exposes", async () => {
    const { run } = await coldRun("envtemplate");
    expect(run!.state, run!.reason).toBe("passed");
    expect(detail(run, "generic:healthy")).toBe("app: healthy");
  });

  it("cronjob converges with its swarm-cronjob job and its replicas: 0 service not running", async () => {
    const { run } = await coldRun("cronjob");
    expect(run!.state, run!.reason).toBe("passed");
    expect(detail(run, "generic:converged")).toMatch(
      /_check 0\/0 \(swarm-cronjob job: not expected to run\)/,
    );
    expect(detail(run, "generic:converged")).toMatch(/_spare 0\/0 \(replicas: 0\)/);
    expect(detail(run, "generic:healthy")).toMatch(/check: not expected to run/);
  });

  it("runonce counts its migration job as done once it exited 0", async () => {
    const { run } = await coldRun("runonce");
    expect(run!.state, run!.reason).toBe("passed");
    expect(detail(run, "generic:converged")).toMatch(/_migrate done \(run-once job exited 0\)/);
  });

  it("jobfails fails at once when its restart_policy none job exits non-zero, naming the job", async () => {
    const started = Date.now();
    const { exitCode, run } = await coldRun("jobfails");
    expect(exitCode).toBe(1);
    expect(run!.state).toBe("failed");
    expect(run!.errorCode).toBe("TIMEOUT");
    expect(detail(run, "generic:converged")).toMatch(
      /_migrate failed: its task failed \(task: non-zero exit \(3\)\) and restart_policy none never retries it/,
    );
    expect(Date.now() - started).toBeLessThan(45_000); // well inside its 60 s timeout
  });

  it("global converges with its node agent in global mode", async () => {
    const { run } = await coldRun("global");
    expect(run!.state, run!.reason).toBe("passed");
    expect(detail(run, "generic:converged")).toMatch(/_agent 1\/1 \(global\)/);
  });

  it("secretsx generates the secrets of every enabled overlay with their length= and charset=", async () => {
    const { run } = await coldRun("secretsx");
    expect(run!.state, run!.reason).toBe("passed");
    expect(run!.steps.find((s) => s.name === "install: create")?.detail).toBe("env file and 2 secrets");
  });
});

describe("optional overlays named in ccci.yml, on the real swarm", () => {
  it("tests each overlay as its own tier with its own verdict", async () => {
    const { exitCode, run } = await coldRun("overlays");
    expect(exitCode).toBe(1);
    expect(run!.tiers.map((t) => [t.name, t.status])).toEqual([
      ["install", "passed"],
      ["upgrade", "skipped"],
      ["backup", "skipped"],
      ["restore", "skipped"],
      ["custom", "skipped"],
      ["overlay:s3", "passed"],
      ["overlay:sso", "failed"],
    ]);
    expect(run!.reason).toBe("failed at overlay:sso: generic:converged, generic:healthy");
    const s3 = run!.asserts.filter((a) => a.tier === "overlay:s3");
    expect(s3.map((a) => [a.name, a.passed])).toEqual(allGenericPass);
    expect(s3.find((a) => a.name === "generic:converged")?.detail).toMatch(/_minio 1\/1/);
    expect(run!.steps.find((s) => s.name === "overlay:sso: deploy")?.detail).toMatch(
      /^COMPOSE_FILE=compose\.yml:compose\.sso\.yml; removed \S+_minio$/,
    );
  });
});

describe("backup and restore where a recipe declares backupbot labels, on the real swarm", () => {
  it("backs up what backupbot would, wipes the app, restores, and proves the data came back", async () => {
    const { exitCode, run } = await coldRun("backupbot");
    expect(run!.state, run!.reason).toBe("passed");
    expect(exitCode).toBe(0);
    expect(run!.tiers.map((t) => [t.name, t.status])).toEqual([
      ["install", "passed"],
      ["upgrade", "skipped"],
      ["backup", "passed"],
      ["restore", "passed"],
      ["custom", "skipped"],
    ]);
    expect(detail(run, "generic:backup")).toMatch(
      /^backed up 3 files \(4\d{3} bytes\) from app:\/data\/www, db:\/var\/lib\/db\/backup\.sql$/,
    );
    expect(detail(run, "generic:restored")).toMatch(/^every backed-up file came back unchanged/);
    const restore = run!.asserts.filter((a) => a.tier === "restore").map((a) => [a.name, a.passed]);
    expect(restore).toEqual([["generic:restored", true], ...allGenericPass]);
  });
});
