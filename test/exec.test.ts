import { execSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { exec } from "../src/exec.js";

const sh = (script: string, options: Parameters<typeof exec>[2] = {}) => exec("sh", ["-c", script], options);
const alive = (pattern: string) => {
  try {
    return execSync(`pgrep -f '[${pattern[0]}]${pattern.slice(1)}'`, { encoding: "utf8" }).trim().length > 0;
  } catch {
    return false;
  }
};

describe("exec: every bound is held", () => {
  it("a 3 s timeout returns in about 3 s although a grandchild keeps the output pipe", async () => {
    const started = Date.now();
    const result = await sh("sleep 41.7 & sleep 41.7; echo never", { timeoutMs: 3_000 });
    const took = Date.now() - started;
    expect(result).toMatchObject({ interrupted: true, timedOut: true });
    expect(took).toBeGreaterThanOrEqual(2_900);
    expect(took).toBeLessThan(4_500);
    expect(alive("sleep 41.7")).toBe(false);
  });

  it("a child that ignores SIGTERM is killed after the grace", async () => {
    const started = Date.now();
    const result = await sh("trap '' TERM; while :; do sleep 0.1; done", {
      timeoutMs: 1_000,
      killGraceMs: 1_000,
    });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_500);
  });

  it("a grandchild that ignores SIGTERM in the group is killed too", async () => {
    await sh("(trap '' TERM; exec sleep 42.3) & sleep 60", { timeoutMs: 500, killGraceMs: 500 });
    expect(alive("sleep 42.3")).toBe(false);
  });

  it("cancel kills the whole group", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort("push"), 500);
    const started = Date.now();
    const result = await sh("sleep 43.1 & sleep 43.1", { signal: controller.signal });
    expect(result).toMatchObject({ interrupted: true, cancelled: true, timedOut: false });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(alive("sleep 43.1")).toBe(false);
  });

  it("a setsid child escapes the group but cannot hold the call open past the timeout", async () => {
    const started = Date.now();
    const result = await sh("setsid sleep 44.9 & echo $!; sleep 60", { timeoutMs: 1_000 });
    expect(result.interrupted).toBe(true);
    expect(Date.now() - started).toBeLessThan(4_000);
    process.kill(Number(result.stdout.trim())); // the escapee, by its own pid
  });

  it("a command that exited while a background child holds the pipe returns within a second", async () => {
    const started = Date.now();
    const result = await sh("sleep 45.2 & echo done");
    expect(result).toMatchObject({ exitCode: 0, stdout: "done", interrupted: false });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(alive("sleep 45.2")).toBe(false);
  });

  it("an output flood keeps only its tail", async () => {
    const result = await sh("yes flood | head -c 50000000; echo; echo the-end", {
      maxOutputBytes: 64 * 1024,
    });
    expect(result.truncated).toBe(true);
    expect(result.stdout.length).toBeLessThanOrEqual(64 * 1024);
    expect(result.stdout.endsWith("the-end")).toBe(true);
  });

  it("keeps small output whole, passes input, and reports exit codes and spawn errors", async () => {
    expect(await exec("sh", ["-c", "cat; exit 3"], { input: "abc" })).toMatchObject({
      exitCode: 3,
      stdout: "abc",
      truncated: false,
    });
    const missing = await exec("/nonexistent/ccci-tool", []);
    expect(missing.spawnError).toMatch(/ENOENT/);
  });

  it("an already cancelled signal starts nothing", async () => {
    const result = await sh("echo ran", { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ cancelled: true, stdout: "" });
  });
});
