// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell syntax, not templates
import { describe, expect, it } from "vitest";
import { DockerCli } from "../../src/deploy/docker.js";
import { describeReplicas, stackReplicas, waitForConvergence } from "../../src/engine/converge.js";
import { standInDir, writeStandIn } from "../support/stand-in.js";

const stack = "hell-a1b2c3_ci_localhost";

/**
 * `service ls` answers the given rows (`$stack` expands to the stack); `docker ps` and `inspect` answer
 * one running container (no healthcheck) per running replica of each row.
 */
function dockerAnswering(rows: string[]) {
  const { dir, timeline } = standInDir();
  const containers = rows.flatMap((row, r) => {
    const [service = "", replicas = "0/0"] = row.replace("${stack}", stack).split(" ");
    const running = Number.parseInt(replicas.split("/")[0] ?? "0", 10);
    return Array.from({ length: running }, (_, i) => ({
      id: `c${r}-${i}`,
      json: JSON.stringify({
        Id: `c${r}-${i}`,
        Config: { Labels: { "com.docker.swarm.service.name": service } },
        State: { Status: "running" },
      }),
    }));
  });
  const bin = writeStandIn(dir, "docker", timeline, {
    rules: [
      { when: "service ls *", sh: rows.map((row) => `echo "${row}"`).join("\n") },
      { when: "ps -q *", sh: containers.map((c) => `echo ${c.id}`).join("\n") || "true" },
      { when: "inspect *", sh: containers.map((c) => `echo '${c.json}'`).join("\n") || "true" },
    ],
  });
  return { docker: new DockerCli(bin), timeline };
}

describe("stackReplicas", () => {
  it.each([
    ["a converged service", ["${stack}_app 1/1"], [{ service: `${stack}_app`, running: 1, desired: 1 }]],
    ["a service still starting", ["${stack}_db 0/2"], [{ service: `${stack}_db`, running: 0, desired: 2 }]],
    [
      "docker's per-node note",
      ["${stack}_app 1/1 (max 1 per node)"],
      [{ service: `${stack}_app`, running: 1, desired: 1 }],
    ],
    ["no services", [], []],
  ])("reads %s", async (_what, rows, expected) => {
    expect(await stackReplicas(dockerAnswering(rows).docker, stack)).toEqual(expected);
  });

  it("describes replicas in one line", () => {
    expect(
      describeReplicas([
        { service: "s_app", running: 0, desired: 1 },
        { service: "s_db", running: 1, desired: 1 },
      ]),
    ).toBe("s_app 0/1, s_db 1/1");
    expect(describeReplicas([])).toBe("no services");
  });
});

describe("waitForConvergence", () => {
  const signal = () => new AbortController().signal;

  it("converges once every service has run all its replicas for the settle time", async () => {
    const { docker, timeline } = dockerAnswering(["${stack}_app 1/1", "${stack}_db 1/1"]);
    const result = await waitForConvergence(docker, stack, 5_000, signal(), { pollMs: 10, settleMs: 50 });
    expect(result).toMatchObject({ converged: true, cancelled: false });
    expect(result.waitedMs).toBeGreaterThanOrEqual(50);
    expect(timeline.calls().length).toBeGreaterThan(1);
  });

  it.each([
    ["a service short of its replicas", ["${stack}_app 1/1", "${stack}_db 0/1"]],
    ["a service scaled to zero", ["${stack}_app 0/0"]],
    ["a stack without services", []],
  ])("times out with %s", async (_what, rows) => {
    const result = await waitForConvergence(dockerAnswering(rows).docker, stack, 100, signal(), {
      pollMs: 10,
      settleMs: 0,
    });
    expect(result).toMatchObject({ converged: false, cancelled: false });
    expect(result.waitedMs).toBeGreaterThanOrEqual(100);
  });

  it("stops waiting when the run is cancelled", async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort("cancelled"), 50);
    const started = Date.now();
    const result = await waitForConvergence(
      dockerAnswering(["${stack}_app 0/1"]).docker,
      stack,
      60_000,
      abort.signal,
      { pollMs: 1_000, settleMs: 0 },
    );
    expect(result).toMatchObject({ converged: false, cancelled: true });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
