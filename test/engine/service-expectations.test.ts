import { describe, expect, it } from "vitest";
import type { DockerCli } from "../../src/deploy/docker.js";
import type { ServiceState } from "../../src/deploy/stack-services.js";
import type { StackContainer } from "../../src/engine/asserts/containers.js";
import {
  describeService,
  jobOutcome,
  kindOf,
  type ServiceRow,
  satisfied,
} from "../../src/engine/service-expectations.js";

const spec = (mode: object, condition = "any", labels: Record<string, string> = {}): ServiceState => ({
  Spec: {
    Name: "s_job",
    Mode: mode,
    TaskTemplate: { RestartPolicy: { Condition: condition } },
    Labels: labels,
  },
});

describe("kindOf", () => {
  it.each([
    ["a replicated service", spec({ Replicated: { Replicas: 2 } }), "replicated"],
    ["replicas: 0", spec({ Replicated: { Replicas: 0 } }), "idle"],
    [
      "a swarm-cronjob job",
      spec({ Replicated: { Replicas: 0 } }, "none", { "swarm.cronjob.enable": "true" }),
      "cron",
    ],
    ["restart_policy none", spec({ Replicated: { Replicas: 1 } }, "none"), "job"],
    ["restart_policy on-failure", spec({ Replicated: { Replicas: 1 } }, "on-failure"), "job"],
    ["a global service", spec({ Global: {} }), "global"],
  ])("reads %s", (_what, state, kind) => {
    expect(kindOf(state)).toBe(kind);
  });
});

const container = (service: string): StackContainer => ({
  id: service,
  service,
  state: "running",
  health: "none",
  labels: {},
});

describe("satisfied", () => {
  it.each<[string, ServiceRow, StackContainer[], boolean]>([
    ["N/N with the containers running", { service: "a", running: 1, desired: 1 }, [container("a")], true],
    ["N/N by swarm's count, no container", { service: "a", running: 1, desired: 1 }, [], false],
    [
      "0/0 of a plain service (no replicas wanted, nothing known)",
      { service: "a", running: 0, desired: 0 },
      [],
      false,
    ],
    ["0/0 with replicas: 0", { service: "a", running: 0, desired: 0, kind: "idle" }, [], true],
    ["a swarm-cronjob job", { service: "a", running: 0, desired: 0, kind: "cron" }, [], true],
    ["a job that finished", { service: "a", running: 0, desired: 1, kind: "job", done: true }, [], true],
    ["a job not finished, not running", { service: "a", running: 0, desired: 1, kind: "job" }, [], false],
    ["a job still running", { service: "a", running: 1, desired: 1, kind: "job" }, [container("a")], true],
  ])("%s: %s", (_what, row, containers, expected) => {
    expect(satisfied(row, containers)).toBe(expected);
  });

  it("describes each kind in the report", () => {
    expect(
      [
        { service: "s_cron", running: 0, desired: 0, kind: "cron" as const },
        { service: "s_off", running: 0, desired: 0, kind: "idle" as const },
        { service: "s_job", running: 0, desired: 1, kind: "job" as const, done: true },
        { service: "s_g", running: 1, desired: 1, kind: "global" as const },
      ].map(describeService),
    ).toEqual([
      "s_cron 0/0 (swarm-cronjob job: not expected to run)",
      "s_off 0/0 (replicas: 0)",
      "s_job done (run-once job exited 0)",
      "s_g 1/1 (global)",
    ]);
  });
});

function dockerWithTasks(tasks: object[], inspectExit = 0): DockerCli {
  return {
    run: async (args: string[]) =>
      args[0] === "service"
        ? { exitCode: 0, stdout: tasks.map((_, i) => `t${i}`).join("\n"), stderr: "" }
        : { exitCode: inspectExit, stdout: tasks.map((t) => JSON.stringify(t)).join("\n"), stderr: "" },
  } as unknown as DockerCli;
}

const task = (slot: number, createdAt: string, state: string, exitCode: number, err?: string) => ({
  Slot: slot,
  CreatedAt: createdAt,
  Status: { State: state, ...(err ? { Err: err } : {}), ContainerStatus: { ExitCode: exitCode } },
});

describe("jobOutcome", () => {
  const once = spec({ Replicated: { Replicas: 1 } }, "none");
  it.each([
    ["done when the latest task completed with exit 0", [task(1, "2", "complete", 0)], { done: true }],
    ["not done while it runs", [task(1, "2", "running", 0)], { done: false }],
    [
      "done by its latest task, not an earlier failure",
      [task(1, "1", "failed", 1), task(1, "2", "complete", 0)],
      { done: true },
    ],
  ])("is %s", async (_what, tasks, expected) => {
    expect(await jobOutcome(dockerWithTasks(tasks), once)).toEqual(expected);
  });

  it("says why a failed task of restart_policy none will never be done", async () => {
    const outcome = await jobOutcome(
      dockerWithTasks([task(1, "2", "failed", 3, "task: non-zero exit (3)")]),
      once,
    );
    expect(outcome).toEqual({
      done: false,
      failed: "its task failed (task: non-zero exit (3)) and restart_policy none never retries it",
    });
  });

  it("counts what it could inspect when a listed task is already gone (docker inspect exits 1)", async () => {
    expect(await jobOutcome(dockerWithTasks([task(1, "2", "complete", 0)], 1), once)).toEqual({ done: true });
  });

  it("waits for every replica of a job", async () => {
    const two = spec({ Replicated: { Replicas: 2 } }, "on-failure");
    expect(
      await jobOutcome(dockerWithTasks([task(1, "2", "complete", 0), task(2, "2", "running", 0)]), two),
    ).toEqual({
      done: false,
    });
  });
});
