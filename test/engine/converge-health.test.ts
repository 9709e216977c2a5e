// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell syntax, not templates
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DockerCli } from "../../src/deploy/docker.js";
import { checkHealth } from "../../src/engine/asserts/health.js";
import {
  type ConvergeOptions,
  describeReplicas,
  holdSettle,
  waitForConvergence,
} from "../../src/engine/converge.js";
import { backoffMs, healthcheckExecArgs } from "../../src/engine/health-probe.js";
import type { ComposeModel } from "../../src/recipe/compose.js";
import { standInDir, writeStandIn } from "../support/stand-in.js";

const stack = "hell-a1b2c3_ci_localhost";

describe("healthcheckExecArgs", () => {
  it.each([
    [
      ["CMD", "wget", "-q", "http://127.0.0.1/"],
      undefined,
      ["exec", "c1", "wget", "-q", "http://127.0.0.1/"],
    ],
    [
      ["CMD-SHELL", "curl -f localhost || exit 1"],
      undefined,
      ["exec", "c1", "/bin/sh", "-c", "curl -f localhost || exit 1"],
    ],
    [
      ["CMD-SHELL", "pg_isready"],
      ["/bin/bash", "-o", "pipefail", "-c"],
      ["exec", "c1", "/bin/bash", "-o", "pipefail", "-c", "pg_isready"],
    ],
    [["NONE"], undefined, undefined],
    [["CMD"], undefined, undefined],
    [["CMD-SHELL"], undefined, undefined],
  ])("runs %j (shell %j) as Docker does", (test, shell, expected) => {
    expect(healthcheckExecArgs("c1", { test, shell })).toEqual(expected);
  });
});

interface Scenario {
  /** `docker service ls` replicas of the one service. */
  replicas: string;
  /** Docker's health of its container. */
  health: string;
  /** Exit code of the healthcheck when ccci runs it. */
  probeExit: number;
  /** Container ids `docker ps` answers, one per call in turn (the last one repeats). */
  ids?: string[];
}

/** A stack of one service `app` whose container has the healthcheck `["CMD", "check-app"]`. */
function stackOf(s: Scenario) {
  const { dir, timeline } = standInDir();
  const ids = s.ids ?? ["c1"];
  const psAnswer =
    ids.length === 0 ? "true" : `set -- ${ids.join(" ")}; i=$((n < $# ? n + 1 : $#)); eval "echo \\$$i"`;
  const counter = join(dir, "ps-count");
  const inspect = (id: string) =>
    JSON.stringify({
      Id: id,
      Config: {
        Labels: { "com.docker.swarm.service.name": `${stack}_app` },
        Healthcheck: { Test: ["CMD", "check-app"], Timeout: 5e9 },
      },
      State: { Status: "running", Health: { Status: s.health } },
    });
  const bin = writeStandIn(dir, "docker", timeline, {
    rules: [
      { when: "service ls -q *", sh: "echo svc1" },
      { when: "service ls *", sh: `echo "\${stack}_app ${s.replicas}"` },
      { when: "service inspect *", sh: `echo '{"Spec":{"Name":"${stack}_app","Labels":{}}}'` },
      {
        when: "ps -q *",
        sh: [`n=$(cat '${counter}' 2>/dev/null || echo 0); echo $((n + 1)) > '${counter}'`, psAnswer].join(
          "\n",
        ),
      },
      ...ids.map((id) => ({ when: `inspect --format {{json .}} ${id}`, sh: `echo '${inspect(id)}'` })),
      { when: "exec *", sh: `exit ${s.probeExit}` },
    ],
  });
  const docker = new DockerCli(bin);
  const probes = () => timeline.calls().filter((c) => c.args[0] === "exec");
  return { docker, probes, timeline };
}

const signal = () => new AbortController().signal;
/** A fast-polling wait with no settle window unless the test asks for one. */
const converge = (docker: DockerCli, timeoutMs: number, options: ConvergeOptions = {}) =>
  waitForConvergence(docker, stack, timeoutMs, signal(), { pollMs: 10, settleMs: 0, ...options });
const compose = { services: new Map([["app", {}]]) } as unknown as ComposeModel;

describe("waitForConvergence with ccci running the healthchecks", () => {
  it("lets a reattach go on once the app answers its healthcheck, before Docker's first check", async () => {
    const { docker, probes } = stackOf({ replicas: "0/1", health: "starting", probeExit: 0 });
    const result = await converge(docker, 5_000, { acceptProbed: true });
    expect(result.converged).toBe(true);
    expect([...result.healthProbed]).toEqual(["c1"]);
    expect(describeReplicas(result.services)).toBe(`${stack}_app 1/1 (healthcheck passed when ccci ran it)`);
    expect(probes().map((c) => c.args)).toEqual([["exec", "c1", "check-app"]]);
    // The generic health assert takes ccci's run of the healthcheck for Docker's pending one.
    const health = await checkHealth(docker, stack, compose, result.healthProbed);
    expect(health).toMatchObject({
      passed: true,
      detail: "app: healthy (its healthcheck passed when ccci ran it)",
    });
  });

  it("keeps waiting while the app's healthcheck fails, running it again with a back-off", async () => {
    const { docker, probes } = stackOf({ replicas: "0/1", health: "starting", probeExit: 1 });
    const result = await converge(docker, 2_500, { acceptProbed: true });
    expect(result).toMatchObject({ converged: false, cancelled: false });
    expect(result.healthProbed.size).toBe(0);
    // ~250 polls of 10 ms, but runs at 0, 0.5, 1, 1.5, 2 and 3 s: again, not at every poll.
    expect(probes().length).toBeGreaterThanOrEqual(4);
    expect(probes().length).toBeLessThanOrEqual(6);
    expect((await checkHealth(docker, stack, compose, result.healthProbed)).passed).toBe(false);
  });

  it("runs it every 0.5 s for 2 s, then backs off to 1, 2 and 4 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffMs)).toEqual([
      500, 500, 500, 500, 1_000, 2_000, 4_000, 4_000,
    ]);
  });

  it("never lets the version under test converge before swarm counts its tasks running", async () => {
    const { docker, probes } = stackOf({ replicas: "0/1", health: "starting", probeExit: 0 });
    const result = await converge(docker, 200);
    expect(result.converged).toBe(false);
    expect(probes().length).toBe(1); // passed once, remembered
    expect(result.healthProbed.size).toBe(0);
  });

  it("does not second-guess Docker's unhealthy verdict", async () => {
    const { docker, probes } = stackOf({ replicas: "0/1", health: "unhealthy", probeExit: 0 });
    const result = await converge(docker, 150, { acceptProbed: true });
    expect(result.converged).toBe(false);
    expect(probes()).toEqual([]);
  });

  it("does not run healthchecks when told not to", async () => {
    const { docker, probes } = stackOf({ replicas: "0/1", health: "starting", probeExit: 0 });
    const result = await converge(docker, 150, { acceptProbed: true, probe: false });
    expect(result.converged).toBe(false);
    expect(probes()).toEqual([]);
  });

  it("starts the settle window again whenever a container is replaced (a crash loop)", async () => {
    const looping = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const crash = stackOf({ replicas: "1/1", health: "healthy", probeExit: 0, ids: looping });
    const opts = { pollMs: 10, settleMs: 150 };
    expect((await waitForConvergence(crash.docker, stack, 400, signal(), opts)).converged).toBe(false);
    const steady = stackOf({ replicas: "1/1", health: "healthy", probeExit: 0 });
    expect((await waitForConvergence(steady.docker, stack, 2_000, signal(), opts)).converged).toBe(true);
  });
});

describe("a settle window deferred past the asserts", () => {
  it("returns at the first healthy N/N and holds when the same containers keep running", async () => {
    const { docker } = stackOf({ replicas: "1/1", health: "healthy", probeExit: 0 });
    const result = await converge(docker, 5_000, { settleMs: 60_000, deferSettle: true });
    expect(result.converged).toBe(true);
    expect(result.settle?.containers).toEqual(["c1"]);
    expect(result.waitedMs).toBeLessThan(60_000);
    const since = Date.now() - 100; // as if they were healthy 100 ms ago: 150 ms of the window left
    expect(await holdSettle(docker, stack, { since, containers: ["c1"] }, 250, signal(), 10)).toBeUndefined();
    expect(Date.now() - since).toBeGreaterThanOrEqual(250);
  });

  it("fails the hold when a container is replaced, naming it", async () => {
    const { docker } = stackOf({ replicas: "1/1", health: "healthy", probeExit: 0, ids: ["c1", "c2"] });
    const settle = { since: Date.now(), containers: ["c1"] };
    expect(await holdSettle(docker, stack, settle, 60_000, signal(), 10)).toMatch(
      /^container c1 stopped or was replaced \d+\.\d s after all were healthy \(a crash or a crash loop\)/,
    );
  });

  it("fails the hold when a service loses its replicas", async () => {
    const { docker } = stackOf({ replicas: "0/1", health: "starting", probeExit: 0 });
    const settle = { since: Date.now(), containers: ["c1"] };
    expect(await holdSettle(docker, stack, settle, 60_000, signal(), 10)).toMatch(
      /^not every service kept its replicas .*: hell-a1b2c3_ci_localhost_app 0\/1$/,
    );
  });

  it("does not take swarm's N/N for converged while Docker runs none of the service's containers", async () => {
    // Swarm's task count lags behind a container that just died (a crash loop between restarts).
    const { docker } = stackOf({ replicas: "1/1", health: "healthy", probeExit: 0, ids: [] });
    expect((await converge(docker, 300, { settleMs: 60_000, deferSettle: true })).converged).toBe(false);
    expect((await converge(docker, 300)).converged).toBe(false);
    const reattach = await converge(docker, 300, { acceptProbed: true });
    expect(reattach.converged).toBe(false);
    expect(describeReplicas(reattach.services)).toBe(`${stack}_app 0/1`);
  });

  it("does not defer for a container without a healthcheck (N/N proves nothing there)", async () => {
    const { docker } = stackOf({ replicas: "1/1", health: "none", probeExit: 0 });
    const result = await converge(docker, 300, { settleMs: 60_000, deferSettle: true });
    expect(result).toMatchObject({ converged: false, settle: undefined });
  });
});
