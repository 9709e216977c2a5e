import { describe, expect, it } from "vitest";
import { ccci, fixture } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";

/** The four example recipes on the real swarm, each its own test, each followed by a closure check. */
describe("cold runs of the example recipes on the real swarm", () => {
  it("hello passes every generic assert and its custom assert, and leaves nothing behind", async () => {
    const { exitCode, run } = await ccci(["run", fixture("hello"), "--json"]);
    expect(run?.state, run?.reason).toBe("passed");
    expect(exitCode).toBe(0);
    expect(run!.asserts.map((a) => [a.name, a.passed])).toEqual([
      ["generic:converged", true],
      ["generic:healthy", true],
      ["generic:http", true],
      ["generic:settled", true],
      ["custom:10-serves-greeting", true],
    ]);
    expect(run!.domain).toMatch(/^hell-[0-9a-f]{6}\.ci\.localhost$/);
    expect(await leftovers(run!.stack!)).toEqual([]);
  });

  it("unhealthy fails, naming the generic health assert", async () => {
    const { exitCode, run } = await ccci(["run", fixture("unhealthy"), "--json"]);
    expect(exitCode).toBe(1);
    expect(run!.state).toBe("failed");
    const healthy = run!.asserts.find((a) => a.name === "generic:healthy");
    expect(healthy?.passed).toBe(false);
    expect(run!.reason).toContain("generic:healthy");
    expect(await leftovers(run!.stack!)).toEqual([]);
  });

  it("bad-custom is healthy but fails on its custom assert, with the assert's output", async () => {
    const { exitCode, run } = await ccci(["run", fixture("bad-custom"), "--json"]);
    expect(exitCode).toBe(1);
    expect(run!.asserts.filter((a) => a.kind === "generic").every((a) => a.passed)).toBe(true);
    const custom = run!.asserts.find((a) => a.name === "custom:10-expects-another-page");
    expect(custom?.passed).toBe(false);
    expect(custom?.detail).toContain("expected the other page");
    expect(run!.reason).toContain("custom:10-expects-another-page");
    expect(await leftovers(run!.stack!)).toEqual([]);
  });

  it("dies-after-healthy fails generic:settled: it crashes after its asserts passed, inside the settle window", async () => {
    const started = Date.now();
    const { exitCode, run } = await ccci(["run", fixture("dies-after-healthy"), "--json"]);
    expect(exitCode).toBe(1);
    expect(run!.state).toBe("failed");
    expect(run!.errorCode).toBeUndefined(); // caught by the settle window, long before its 60 s timeout
    expect(run!.asserts.map((a) => [a.name, a.passed])).toEqual([
      ["generic:converged", true],
      ["generic:healthy", true],
      ["generic:http", true],
      ["generic:settled", false],
    ]);
    const settled = run!.asserts.find((a) => a.name === "generic:settled");
    expect(settled?.detail).toMatch(/stopped or was replaced \d+\.\d s after all were healthy/);
    expect(run!.tiers.find((t) => t.name === "install")).toMatchObject({ status: "failed" });
    expect(run!.reason).toBe("failed at install: generic:settled");
    expect(run!.logExcerpt).toContain("late failure: exiting");
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await leftovers(run!.stack!)).toEqual([]);
  });

  it("never-converges hits the timeout from its coop-cloud timeout label", async () => {
    const started = Date.now();
    const { exitCode, run } = await ccci(["run", fixture("never-converges"), "--json"]);
    expect(exitCode).toBe(1);
    expect(run!.errorCode).toBe("TIMEOUT");
    const converged = run!.asserts.find((a) => a.name === "generic:converged");
    expect(converged?.passed).toBe(false);
    expect(converged?.detail).toMatch(/not converged after 1[5-9] s/);
    expect(run!.logExcerpt).toContain("giving up");
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(await leftovers(run!.stack!)).toEqual([]);
  });
});
