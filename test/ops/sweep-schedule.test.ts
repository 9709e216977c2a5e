import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { loadSettings } from "../../src/config.js";
import type { SweepOptions } from "../../src/ops/sweep.js";
import type { SweepReport } from "../../src/ops/sweep-report.js";
import { startSweepSchedule } from "../../src/ops/sweep-schedule.js";
import { sweepCron } from "../../src/ops/sweep-settings.js";

/** A pino logger whose lines a test can read. */
function capturingLog() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}

const report = { id: "sweep-x", status: "green" } as SweepReport;

/** A sweep that runs until released, recording the options of each call. */
function blockingSweep() {
  const calls: SweepOptions[] = [];
  let release = () => {};
  const sweep = (options: SweepOptions) => {
    calls.push(options);
    return new Promise<SweepReport>((resolve) => {
      release = () => resolve(report);
      options.signal?.addEventListener("abort", () => resolve(report));
    });
  };
  return { calls, sweep, release: () => release() };
}

const base = (log: ReturnType<typeof capturingLog>["log"]) => ({
  engine: {} as SweepOptions["engine"],
  settings: {
    CCCI_STATE_DIR: "/nowhere",
    CCCI_MAX_TESTS: 2,
    CCCI_DOMAIN: "ci.localhost",
    CCCI_DOCKER_BIN: "docker",
  },
  log,
});

describe("the sweep schedule", () => {
  it("is off when the cron expression is off", () => {
    const { log, lines } = capturingLog();
    expect(startSweepSchedule({ ...base(log), cron: null })).toBeNull();
    expect(lines.map((l) => l.msg)).toContain("nightly sweep schedule is off (CCCI_SWEEP_CRON=off)");
  });

  it("skips a sweep asked for while one is running", async () => {
    const { log, lines } = capturingLog();
    const { calls, sweep, release } = blockingSweep();
    const schedule = startSweepSchedule({ ...base(log), cron: "0 3 * * *", sweep })!;
    const first = schedule.runNow();
    expect(schedule.busy()).toBe(true);
    expect(await schedule.runNow()).toBe("skipped");
    release();
    expect(await first).toBe(report);
    expect(calls).toHaveLength(1);
    expect(schedule.busy()).toBe(false);
    expect(lines.some((l) => l.msg.includes("this tick is skipped"))).toBe(true);
    await schedule.stop();
  });

  it("fires on its cron ticks and skips ticks while the previous sweep still runs", async () => {
    const { log, lines } = capturingLog();
    const { calls, sweep, release } = blockingSweep();
    const schedule = startSweepSchedule({ ...base(log), cron: "* * * * * *", sweep })!; // every second
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    expect(calls).toHaveLength(1);
    expect(lines.filter((l) => l.msg.includes("this tick is skipped")).length).toBeGreaterThanOrEqual(1);
    release();
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    await schedule.stop();
    expect(schedule.nextRun()).toBeNull();
  });

  it("hands each finished report to its listener", async () => {
    const { log } = capturingLog();
    const seen: SweepReport[] = [];
    const schedule = startSweepSchedule({
      ...base(log),
      cron: "0 3 * * *",
      sweep: async () => report,
      onReport: (r) => seen.push(r),
    })!;
    await schedule.runNow();
    expect(seen).toEqual([report]);
    await schedule.stop();
  });

  it("logs a failed sweep loudly and stays ready for the next tick", async () => {
    const { log, lines } = capturingLog();
    const sweep = async () => {
      throw new Error("nothing to sweep: /state/recipes.yml enrols no recipes");
    };
    const schedule = startSweepSchedule({ ...base(log), cron: "0 3 * * *", sweep })!;
    expect(await schedule.runNow()).toBe("failed");
    expect(schedule.busy()).toBe(false);
    const error = lines.find((l) => l.level === 50);
    expect(error?.msg).toMatch(/the scheduled sweep failed: nothing to sweep/);
    await schedule.stop();
  });

  it("stopping it stops the running sweep from submitting more", async () => {
    const { log } = capturingLog();
    const { calls, sweep } = blockingSweep();
    const schedule = startSweepSchedule({ ...base(log), cron: "0 3 * * *", sweep })!;
    const running = schedule.runNow();
    await schedule.stop();
    expect(calls[0]!.signal?.aborted).toBe(true);
    expect(await running).toBe(report);
  });
});

describe("sweep settings", () => {
  it("defaults to 03:00 nightly, 50 recipes, the bundled canary", () => {
    const settings = loadSettings({});
    expect(settings).toMatchObject({ CCCI_SWEEP_CRON: "0 3 * * *", CCCI_SWEEP_MAX: 50 });
    expect(sweepCron(settings)).toBe("0 3 * * *");
  });

  const cases: Array<[string, Record<string, string>, RegExp | string | null]> = [
    ["off switches the schedule off", { CCCI_SWEEP_CRON: "off" }, null],
    ["a six-part expression with seconds is accepted", { CCCI_SWEEP_CRON: "30 15 2 * * 1" }, "30 15 2 * * 1"],
    [
      "a malformed cron expression is refused",
      { CCCI_SWEEP_CRON: "every night" },
      /CCCI_SWEEP_CRON: expected a cron expression/,
    ],
    [
      "a limit of 0 is refused",
      { CCCI_SWEEP_MAX: "0" },
      /CCCI_SWEEP_MAX: expected a whole number between 1 and 1000/,
    ],
    ["a non-numeric limit is refused", { CCCI_SWEEP_MAX: "lots" }, /CCCI_SWEEP_MAX/],
  ];
  for (const [name, env, expected] of cases) {
    it(name, () => {
      if (expected instanceof RegExp) expect(() => loadSettings(env)).toThrow(expected);
      else expect(sweepCron(loadSettings(env))).toBe(expected);
    });
  }
});
