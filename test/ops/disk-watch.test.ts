import { afterEach, describe, expect, it, vi } from "vitest";
import type { DiskGuard, DiskReport } from "../../src/ops/disk-guard.js";
import { watchDisk } from "../../src/ops/disk-watch.js";
import { silentLog } from "./fakes.js";

const report: DiskReport = { at: "t", disks: [], pruned: [], errors: [] };

function countingGuard(fail = false) {
  const guard = {
    checks: 0,
    measure: async () => report,
    ensureRoomForRun: async () => report,
    check: async () => {
      guard.checks += 1;
      if (fail) throw new Error("docker is gone");
      return report;
    },
  };
  return guard satisfies DiskGuard;
}

describe("periodic disk check", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("checks at once, then every interval, and stops when asked", async () => {
    vi.useFakeTimers();
    const guard = countingGuard();
    const reports: DiskReport[] = [];
    const stop = watchDisk(guard, 60, silentLog, (r) => reports.push(r));
    await vi.advanceTimersByTimeAsync(0);
    expect(guard.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(125_000);
    expect(guard.checks).toBe(3);
    expect(reports).toHaveLength(3);
    stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(guard.checks).toBe(3);
  });

  it("is off at 0 seconds", async () => {
    vi.useFakeTimers();
    const guard = countingGuard();
    watchDisk(guard, 0, silentLog);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(guard.checks).toBe(0);
  });

  it("logs a failed check and keeps watching", async () => {
    vi.useFakeTimers();
    const guard = countingGuard(true);
    const warn = vi.spyOn(silentLog, "warn");
    const stop = watchDisk(guard, 10, silentLog);
    await vi.advanceTimersByTimeAsync(25_000);
    stop();
    expect(guard.checks).toBe(3);
    expect(warn).toHaveBeenCalledWith(expect.anything(), "periodic disk check failed: docker is gone");
  });
});
