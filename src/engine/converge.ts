import { setTimeout as sleep } from "node:timers/promises";
import type { DockerCli } from "../deploy/docker.js";
import { byStack } from "../deploy/stack-label.js";
import { inspectStackServices } from "../deploy/stack-services.js";
import { runningContainers, type StackContainer } from "./asserts/containers.js";
import { HealthProbe } from "./health-probe.js";
import {
  describeService,
  expectsNoContainer,
  type ServiceRow,
  satisfied,
  withExpectations,
} from "./service-expectations.js";
import { specNotCurrent } from "./spec-current.js";

export interface ServiceReplicas extends ServiceRow {
  /** Running counted with ccci's own run of the healthcheck (swarm still waits for Docker's first one). */
  probed?: boolean;
}

export interface Convergence {
  converged: boolean;
  services: ServiceReplicas[];
  waitedMs: number;
  cancelled: boolean;
  /**
   * When it converged on `acceptProbed` before swarm counted every task running: the containers whose
   * healthcheck passed when ccci ran it (Docker may still say `starting`). Empty otherwise.
   */
  healthProbed: ReadonlySet<string>;
  /** With `deferSettle`: what `holdSettle` must still check. */
  settle?: PendingSettle;
}

/** `docker service ls` for the stack: replicas running/desired per service (swarm counts a task as running once healthy). */
export async function stackReplicas(docker: DockerCli, stack: string): Promise<ServiceReplicas[]> {
  const rows = await docker.lines([
    "service",
    "ls",
    ...byStack(stack),
    "--format",
    "{{.Name}} {{.Replicas}}",
  ]);
  return rows.map((row) => {
    const [service = "", replicas = "0/0"] = row.split(/\s+/);
    const [running = 0, desired = 0] = replicas.split("/").map((n) => Number.parseInt(n, 10) || 0);
    return { service, running, desired };
  });
}

export function describeReplicas(services: ServiceReplicas[]): string {
  return services.map(describeService).join(", ") || "no services";
}

/** `stackReplicas` with each service's kind: idle (`replicas: 0`), swarm-cronjob, run-once job, global. */
export async function stackServices(docker: DockerCli, stack: string): Promise<ServiceReplicas[]> {
  const [rows, states] = await Promise.all([
    stackReplicas(docker, stack),
    inspectStackServices(docker, stack),
  ]);
  return withExpectations(docker, states, rows);
}

/** How long every service must stay N/N before the stack counts as converged. */
export const SETTLE_MS = 5_000;

export interface ConvergeOptions {
  pollMs?: number;
  /** How long the same healthy containers must keep running (default SETTLE_MS). */
  settleMs?: number;
  /**
   * Also count a container as healthy once its own healthcheck passes when ccci runs it (default true),
   * so the settle window starts when the app answers, not one healthcheck `interval` after its start.
   */
  probe?: boolean;
  /**
   * Return as soon as every container answers its healthcheck, without waiting for swarm to mark the
   * tasks running (Docker's first check). Only for a reattach: the version under test always waits.
   */
  acceptProbed?: boolean;
  /**
   * Return once every service is N/N and every container passed its healthcheck, without waiting out the
   * settle window: the caller runs its asserts meanwhile and then calls `holdSettle` with the returned
   * `settle`. A stack with a container that has no healthcheck still waits out the window here.
   */
  deferSettle?: boolean;
}

/** The containers that first were all healthy at `since`; `holdSettle` checks they stay. */
export interface PendingSettle {
  since: number;
  containers: string[];
  /** Container id → its service: a run-once job's container may finish (exit 0) inside the window. */
  serviceOf?: Record<string, string>;
}

/**
 * Polls until every service of the stack runs all its replicas from its current spec and the same
 * healthy containers have kept running for the settle window (a crash-looping task shows 1/1 for a
 * moment between restarts; an upgrade shows the old tasks as N/N until swarm starts it), the timeout
 * passes, or the run is cancelled. Unless `acceptProbed`, swarm must also count every replica running.
 */
export async function waitForConvergence(
  docker: DockerCli,
  stack: string,
  timeoutMs: number,
  signal: AbortSignal,
  options: ConvergeOptions = {},
): Promise<Convergence> {
  const started = Date.now();
  try {
    return await pollConvergence(docker, stack, timeoutMs, signal, options);
  } catch (error) {
    // A cancel stops the docker call in flight: that is a cancelled wait, not a failure.
    if (!signal.aborted) throw error;
    return {
      converged: false,
      services: [],
      waitedMs: Date.now() - started,
      cancelled: true,
      healthProbed: new Set(),
    };
  }
}

async function pollConvergence(
  docker: DockerCli,
  stack: string,
  timeoutMs: number,
  signal: AbortSignal,
  options: ConvergeOptions,
): Promise<Convergence> {
  const { pollMs = 500, settleMs = SETTLE_MS, probe: useProbe = true, acceptProbed = false } = options;
  const deferred = options.deferSettle === true && settleMs > 0;
  docker = boundedDocker(docker, signal, timeoutMs);
  const probe = new HealthProbe(docker);
  const started = Date.now();
  let services: ServiceReplicas[] = [];
  let readySince: number | undefined;
  let readySet = "";
  const done = (converged: boolean, onProbe = false, settle?: PendingSettle): Convergence => ({
    converged,
    services,
    waitedMs: Date.now() - started,
    cancelled: !converged && signal.aborted,
    healthProbed: onProbe ? probe.passedIds : new Set(),
    settle,
  });
  while (!signal.aborted) {
    services = await stackServices(docker, stack);
    const containers = await runningContainers(docker, stack);
    // A run-once job that failed with `restart_policy: none` is never retried: no use waiting.
    if (services.some((s) => s.failed)) break;
    const current = services.length > 0 && (await specNotCurrent(docker, stack, containers)) === undefined;
    // Swarm's count lags: a task whose container just died can still count as running, so the
    // containers Docker runs must be there too (`satisfied`).
    const swarmReady = services.every((s) => satisfied(s, containers));
    let ready = current && swarmReady;
    if (current && !swarmReady && useProbe) {
      services = await Promise.all(
        services.map((s) => (expectsNoContainer(s) ? s : probedReplicas(s, containers, probe, signal))),
      );
      ready = services.every((s) => satisfied(s, containers));
    }
    const ids = containerIds(containers);
    const set = ids.join(",");
    readySince = ready && set === readySet ? (readySince ?? Date.now()) : ready ? Date.now() : undefined;
    readySet = set;
    // Only a passed healthcheck shows an app up: a container without one shows N/N between the restarts
    // of a crash loop, so such a stack waits out the whole settle window here.
    const allChecked = containers.length > 0 && containers.every((c) => c.health !== "none");
    if (deferred && readySince !== undefined && swarmReady && allChecked)
      return done(true, false, {
        since: readySince,
        containers: ids,
        serviceOf: Object.fromEntries(containers.map((c) => [c.id, c.service])),
      });
    const settled = readySince !== undefined && Date.now() - readySince >= settleMs;
    if (settled && swarmReady) return done(true);
    if (settled && acceptProbed) return done(true, true);
    if (Date.now() - started >= timeoutMs) break;
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
  return done(false);
}

/** Docker calls that stop on cancel and cannot hang past the convergence timeout (plus a margin). */
function boundedDocker(docker: DockerCli, signal: AbortSignal, timeoutMs: number): DockerCli {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new Error("the convergence timeout passed")),
    timeoutMs + 30_000,
  );
  timer.unref();
  return docker.withSignal(AbortSignal.any([signal, deadline.signal]));
}

/** The containers' ids in a stable order: the identity of a set of running containers. */
const containerIds = (containers: StackContainer[]) => containers.map((c) => c.id).sort();

/** A service's running replicas counted again from its containers, with ccci running the healthchecks. */
async function probedReplicas(
  replicas: ServiceReplicas,
  containers: StackContainer[],
  probe: HealthProbe,
  signal: AbortSignal,
): Promise<ServiceReplicas> {
  // Counted from Docker's containers only: swarm's own count may include a task whose container is gone.
  const mine = containers.filter((c) => c.service === replicas.service);
  const healthy = await Promise.all(mine.map((c) => probe.healthy(c, signal)));
  const running = healthy.filter(Boolean).length;
  return { ...replicas, running, ...(running > replicas.running ? { probed: true } : {}) };
}

/**
 * The rest of a deferred settle window: until `settle.since + settleMs` the same containers must keep
 * running, every service N/N. Returns undefined when they did, else what went wrong.
 */
export async function holdSettle(
  docker: DockerCli,
  stack: string,
  settle: PendingSettle,
  settleMs: number,
  signal: AbortSignal,
  pollMs = 500,
): Promise<string | undefined> {
  try {
    return await pollSettle(docker.withSignal(signal), stack, settle, settleMs, signal, pollMs);
  } catch (error) {
    if (signal.aborted) return "cancelled";
    throw error;
  }
}

async function pollSettle(
  docker: DockerCli,
  stack: string,
  settle: PendingSettle,
  settleMs: number,
  signal: AbortSignal,
  pollMs: number,
): Promise<string | undefined> {
  for (;;) {
    const [services, containers] = await Promise.all([
      stackServices(docker, stack),
      runningContainers(docker, stack),
    ]);
    const after = `${((Date.now() - settle.since) / 1000).toFixed(1)} s after all were healthy`;
    const now = containerIds(containers);
    // A run-once job's container that finished with exit 0 is done, not crashed.
    const finished = new Set(services.filter((s) => s.done).map((s) => s.service));
    const gone = settle.containers.filter(
      (id) => !now.includes(id) && !finished.has(settle.serviceOf?.[id] ?? ""),
    );
    const added = now.filter((id) => !settle.containers.includes(id));
    if (gone.length > 0 || added.length > 0) {
      const which = gone.map((id) => id.slice(0, 12)).join(", ") || "set";
      return `container ${which} stopped or was replaced ${after} (a crash or a crash loop): ${describeReplicas(services)}`;
    }
    if (!services.every((s) => satisfied(s, containers)))
      return `not every service kept its replicas ${after}: ${describeReplicas(services)}`;
    const left = settle.since + settleMs - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(pollMs, left), undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return "cancelled";
  }
}
