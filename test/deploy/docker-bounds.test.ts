import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DockerCli } from "../../src/deploy/docker.js";
import { CcciError } from "../../src/errors.js";

/** A docker that never answers (and ignores SIGTERM, as a wedged CLI might). */
function hangingDocker(): string {
  const bin = join(mkdtempSync(join(tmpdir(), "ccci-docker-")), "docker");
  writeFileSync(bin, "#!/bin/sh\ntrap '' TERM\nsleep 300 &\nwait\n");
  chmodSync(bin, 0o755);
  return bin;
}

describe("DockerCli: every call is bounded", () => {
  it("a call with no bound of its own stops at the CLI's default timeout", async () => {
    const docker = new DockerCli(hangingDocker(), 1_000);
    const started = Date.now();
    await expect(docker.lines(["service", "ls"])).rejects.toThrow(
      /docker service ls did not answer within 1 s/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("a call's own timeout wins over the default", async () => {
    const docker = new DockerCli(hangingDocker(), 60_000);
    const started = Date.now();
    const result = await docker.run(["pull", "x"], { timeoutMs: 500, killGraceMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("withSignal: a cancel stops the call in flight as a CANCELLED error", async () => {
    const controller = new AbortController();
    const docker = new DockerCli(hangingDocker(), 60_000).withSignal(controller.signal);
    setTimeout(() => controller.abort("superseded by a push"), 300);
    const error = await docker.lines(["ps"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CcciError);
    expect((error as CcciError).code).toBe("CANCELLED");
    expect(String(error)).toMatch(/superseded by a push/);
  });
});
