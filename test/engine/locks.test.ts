import { describe, expect, it } from "vitest";
import { RunLocks } from "../../src/engine/locks.js";

const never = new Promise<void>(() => {});
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

/** Starts acquiring and remembers whether (and with what) it has resolved. */
function attempt(locks: RunLocks, app: string, cancelled = never) {
  const state: { release?: (() => void) | null; settled: boolean } = { settled: false };
  const promise = locks.acquire(app, cancelled).then((release) => {
    state.release = release;
    state.settled = true;
    return release;
  });
  return { state, promise };
}

describe("RunLocks", () => {
  it("serializes two runs of the same app", async () => {
    const locks = new RunLocks(4);
    const first = attempt(locks, "hello");
    const second = attempt(locks, "hello");
    await tick();
    expect(first.state.settled).toBe(true);
    expect(second.state.settled).toBe(false);
    first.state.release!();
    await tick();
    expect(second.state.release).toBeTypeOf("function");
  });

  it("lets different apps overlap up to MAX_TESTS and queues the next one", async () => {
    const locks = new RunLocks(2);
    const [a, b, c] = ["hello", "custom-html", "nextcloud"].map((app) => attempt(locks, app));
    await tick();
    expect([a!.state.settled, b!.state.settled, c!.state.settled]).toEqual([true, true, false]);
    b!.state.release!();
    await tick();
    expect(c!.state.release).toBeTypeOf("function");
  });

  it.each([
    ["waiting for its app", 4],
    ["waiting for a global slot", 1],
  ])("a waiter cancelled while %s never runs and leaks no lock", async (_what, maxTests) => {
    const locks = new RunLocks(maxTests);
    const holder = attempt(locks, "hello");
    await tick();
    let cancel = () => {};
    const cancelled = new Promise<void>((resolve) => {
      cancel = resolve;
    });
    const app = maxTests === 1 ? "other-app" : "hello";
    const waiter = attempt(locks, app, cancelled);
    await tick();
    cancel();
    expect(await waiter.promise).toBeNull();
    holder.state.release!();
    // Both locks the waiter queued for come free: the same app, then any app, can be taken again.
    for (const next of [app, "hello"]) {
      const release = await Promise.race([
        locks.acquire(next, never),
        tick().then(() => "still blocked" as const),
      ]);
      expect(release).toBeTypeOf("function");
      if (typeof release === "function") release();
    }
  });
});
