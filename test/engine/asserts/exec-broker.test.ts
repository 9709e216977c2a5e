import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DockerCli } from "../../../src/deploy/docker.js";
import { ExecBroker, MAX_CONCURRENT_EXECS } from "../../../src/engine/asserts/exec-broker.js";
import {
  encodeExecRequest,
  MAX_REQUEST_BYTES,
  parseFrames,
} from "../../../src/engine/asserts/exec-protocol.js";
import { silentLogger } from "../../support/deploy-context.js";

const stack = "hell-1a2b3c_ci_localhost";

/**
 * A docker stand-in for one stack with services app and db: `ps`/`inspect` answer one container per
 * service, `exec` runs the command on the host (a stand-in: the broker's job is choosing the container).
 */
function standInDocker(): string {
  const bin = join(mkdtempSync(join(tmpdir(), "ccci-broker-")), "docker");
  writeFileSync(
    bin,
    `#!/bin/sh
case "$1" in
  ps) echo c0ffee00app; echo c0ffee00db ;;
  inspect) for id in "$@"; do case "$id" in
      c0ffee00app) echo '{"Id":"c0ffee00app","Config":{"Labels":{"com.docker.swarm.service.name":"${stack}_app"}},"State":{"Status":"running"}}' ;;
      c0ffee00db) echo '{"Id":"c0ffee00db","Config":{"Labels":{"com.docker.swarm.service.name":"${stack}_db"}},"State":{"Status":"running"}}' ;;
    esac; done ;;
  exec) shift; echo "container=$1" >&2; shift; exec "$@" ;;
esac
`,
  );
  chmodSync(bin, 0o755);
  return bin;
}

function ask(socketPath: string, request: Buffer): Promise<{ type: string; payload: string }[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(socketPath, () => socket.end(request));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(parseFrames(Buffer.concat(chunks))));
  });
}

let broker: ExecBroker | undefined;
afterEach(async () => broker?.close());

async function start(overrides: { deadline?: number; maxOutputBytes?: number } = {}) {
  broker = await ExecBroker.start({
    docker: new DockerCli(standInDocker()),
    stack,
    services: ["app", "db"],
    deadline: overrides.deadline ?? Date.now() + 30_000,
    maxOutputBytes: overrides.maxOutputBytes ?? 64 * 1024,
    log: silentLogger(),
  });
  return broker;
}

describe("ExecBroker: ccci-exec reaches the run's own services and nothing else", () => {
  it("runs an argument array in the service's container and relays output and exit code", async () => {
    const b = await start();
    const frames = await ask(
      b.socketPath,
      encodeExecRequest("db", ["sh", "-c", 'echo "$0 $1"; exit 3', "a b", "c;d"]),
    );
    expect(frames).toEqual([
      { type: "1", payload: "a b c;d\n" },
      { type: "2", payload: "container=c0ffee00db\n" },
      { type: "x", payload: "3" },
    ]);
  });

  it("accepts the full service name too", async () => {
    const b = await start();
    const frames = await ask(b.socketPath, encodeExecRequest(`${stack}_app`, ["true"]));
    expect(frames.at(-1)).toEqual({ type: "x", payload: "0" });
  });

  it.each([
    ["another stack's service", "other-9f9f9f_ci_localhost_db"],
    ["a container id", "c0ffee00db"],
    ["a container name", `${stack}_db.1.abcdefghijkl`],
    ["a service the recipe does not have", "keycloak"],
    ["an empty name", ""],
  ])("refuses %s, naming why", async (_what, service) => {
    const b = await start();
    const frames = await ask(b.socketPath, encodeExecRequest(service, ["id"]));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.type).toBe("E");
    expect(frames[0]!.payload).toMatch(/not a service of this run's stack|usage/);
  });

  it("refuses a command that would read as a docker exec option", async () => {
    const b = await start();
    const [refusal] = await ask(b.socketPath, encodeExecRequest("db", ["--privileged", "sh"]));
    expect(refusal).toEqual({ type: "E", payload: expect.stringMatching(/must not start with "-"/) });
  });

  it("refuses a request over the size cap unread", async () => {
    const b = await start();
    const [refusal] = await ask(
      b.socketPath,
      encodeExecRequest("db", ["echo", "x".repeat(MAX_REQUEST_BYTES)]),
    );
    expect(refusal).toEqual({ type: "E", payload: expect.stringMatching(/exceeds 64 KiB/) });
  });

  it("refuses garbage", async () => {
    const b = await start();
    const [refusal] = await ask(b.socketPath, Buffer.from("GET / HTTP/1.0\r\n\r\n"));
    expect(refusal).toEqual({ type: "E", payload: "not a ccci-exec request" });
  });

  it(`refuses more than ${MAX_CONCURRENT_EXECS} calls at once`, async () => {
    const b = await start();
    const calls = Array.from({ length: MAX_CONCURRENT_EXECS + 1 }, () =>
      ask(b.socketPath, encodeExecRequest("app", ["sleep", "1"])),
    );
    const answers = await Promise.all(calls);
    const refused = answers.filter((frames) => frames[0]?.type === "E");
    expect(refused).toHaveLength(1);
    expect(refused[0]![0]!.payload).toMatch(/more than 4 ccci-exec calls at once/);
  });

  it("caps output, keeping the tail, and says so", async () => {
    const b = await start({ maxOutputBytes: 1024 });
    const frames = await ask(
      b.socketPath,
      encodeExecRequest("app", ["sh", "-c", "yes x | head -c 100000; echo end"]),
    );
    expect(frames[0]!.payload.length).toBeLessThanOrEqual(1024);
    expect(frames[0]!.payload.endsWith("end\n")).toBe(true);
    expect(frames[1]!.payload).toMatch(/output truncated to the last 1 KiB/);
  });

  it("stops a command at the assert's deadline", async () => {
    const b = await start({ deadline: Date.now() + 1_000 });
    const started = Date.now();
    const frames = await ask(b.socketPath, encodeExecRequest("app", ["sleep", "30"]));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(frames.at(-1)).toEqual({ type: "x", payload: "124" });
    expect(frames[1]!.payload).toMatch(/stopped \(the assert's time is up\)/);
  });
});
