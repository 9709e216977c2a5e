import { COMMIT_LABEL } from "../deploy/commit-labels.js";
import type { DockerCli } from "../deploy/docker.js";
import type { ServiceState } from "../deploy/stack-services.js";
import type { StackContainer } from "./asserts/containers.js";

/**
 * What a service is expected to do once deployed, beyond "run N replicas":
 * - `idle`: `replicas: 0` — converged with nothing running (a swarm-cronjob job waits for its scheduler,
 *   which a CI host does not run: `cron`);
 * - `job`: a run-once task (`restart_policy.condition` `none` or `on-failure`) — done once every replica's
 *   latest task completed with exit 0; with `none`, a failed task will never be retried;
 * - `global`: one task per node (swarm's own count says how many nodes).
 */
export type ServiceKind = "replicated" | "global" | "idle" | "cron" | "job";

export interface JobOutcome {
  done: boolean;
  /** Why it can never be done (`condition: none` and a task failed). */
  failed?: string;
}

export function kindOf(state: ServiceState): ServiceKind {
  const spec = state.Spec;
  if (spec?.Mode?.Global) return "global";
  if (spec?.Mode?.Replicated?.Replicas === 0)
    return spec.Labels?.["swarm.cronjob.enable"] === "true" ? "cron" : "idle";
  const condition = spec?.TaskTemplate?.RestartPolicy?.Condition;
  return condition === "none" || condition === "on-failure" ? "job" : "replicated";
}

interface TaskState {
  Slot?: number;
  NodeID?: string;
  CreatedAt?: string;
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> } };
  Status?: { State?: string; Err?: string; ContainerStatus?: { ExitCode?: number } };
}

/** The newest task of each slot (replicated) or node (global). */
function latestPerSlot(tasks: TaskState[]): TaskState[] {
  const latest = new Map<string, TaskState>();
  for (const task of tasks) {
    const slot = String(task.Slot || task.NodeID);
    const seen = latest.get(slot);
    if (!seen || (task.CreatedAt ?? "") > (seen.CreatedAt ?? "")) latest.set(slot, task);
  }
  return [...latest.values()];
}

/**
 * Whether a run-once service has finished: every replica's latest task (of the deployed commit, when
 * ccci's commit label says which) completed with exit 0.
 */
export async function jobOutcome(docker: DockerCli, state: ServiceState): Promise<JobOutcome> {
  const name = state.Spec?.Name ?? "";
  // Tasks come and go while a service restarts: a task listed a moment ago may be gone when inspected,
  // so a failed call is "not done yet", not an error, and what was inspected still counts.
  const listed = await docker.run(["service", "ps", "-q", "--no-trunc", name]);
  const ids = listed.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  if (ids.length === 0) return { done: false };
  const inspected = await docker.run(["inspect", "--format", "{{json .}}", ...ids]);
  const tasks = latestPerSlot(
    inspected.stdout
      .split("\n")
      .filter((l) => l.trim().startsWith("{"))
      .map((l) => JSON.parse(l) as TaskState),
  );
  const wanted = state.Spec?.Labels?.[COMMIT_LABEL];
  const current = wanted
    ? tasks.filter((t) => t.Spec?.ContainerSpec?.Labels?.[COMMIT_LABEL] === wanted)
    : tasks;
  const replicas = state.Spec?.Mode?.Replicated?.Replicas ?? 1;
  const exit = (t: TaskState) => t.Status?.ContainerStatus?.ExitCode;
  const failed = current.find((t) => ["failed", "rejected"].includes(t.Status?.State ?? ""));
  const condition = state.Spec?.TaskTemplate?.RestartPolicy?.Condition;
  if (failed && condition === "none")
    return {
      done: false,
      failed: `its task failed (${failed.Status?.Err ?? `exit ${exit(failed)}`}) and restart_policy none never retries it`,
    };
  const complete = current.filter((t) => t.Status?.State === "complete" && exit(t) === 0);
  return { done: complete.length >= replicas };
}

/** How many containers of the service Docker runs now. */
export const runningOf = (containers: StackContainer[], service: string) =>
  containers.filter((c) => c.service === service).length;

/** A `docker service ls` row as convergence sees it. */
export interface ServiceRow {
  service: string;
  running: number;
  desired: number;
  kind?: ServiceKind;
  /** A run-once job whose tasks all completed with exit 0. */
  done?: boolean;
  failed?: string;
}

/** Adds each service's kind (and, for run-once jobs, whether they are done) to its `service ls` row. */
export async function withExpectations<T extends ServiceRow>(
  docker: DockerCli,
  states: ServiceState[],
  rows: T[],
): Promise<T[]> {
  return Promise.all(
    rows.map(async (row) => {
      const state = states.find((s) => s.Spec?.Name === row.service);
      if (!state) return row;
      const kind = kindOf(state);
      if (kind !== "job") return { ...row, kind };
      const outcome = await jobOutcome(docker, state);
      return { ...row, kind, done: outcome.done, ...(outcome.failed ? { failed: outcome.failed } : {}) };
    }),
  );
}

/** Nothing of this service is expected to run: `replicas: 0`, a swarm-cronjob job, a finished job. */
export const expectsNoContainer = (s: ServiceRow) =>
  s.kind === "idle" || s.kind === "cron" || s.done === true;

/** The service is where it should be: N/N with Docker running that many containers, or nothing due. */
export function satisfied(s: ServiceRow, containers: StackContainer[]): boolean {
  if (expectsNoContainer(s)) return true;
  return s.desired > 0 && s.running >= s.desired && runningOf(containers, s.service) >= s.desired;
}

/** One line for a service's state in the report. */
export function describeService(s: ServiceRow & { probed?: boolean }): string {
  if (s.kind === "cron") return `${s.service} 0/0 (swarm-cronjob job: not expected to run)`;
  if (s.kind === "idle") return `${s.service} 0/0 (replicas: 0)`;
  if (s.done) return `${s.service} done (run-once job exited 0)`;
  if (s.failed) return `${s.service} failed: ${s.failed}`;
  const note = s.probed ? " (healthcheck passed when ccci ran it)" : s.kind === "global" ? " (global)" : "";
  return `${s.service} ${s.running}/${s.desired}${note}`;
}
