import { setTimeout as sleep } from "node:timers/promises";
import type { DockerCli } from "../deploy/docker.js";
import { specNotCurrent } from "./spec-current.js";

export interface ServiceReplicas {
  service: string;
  running: number;
  desired: number;
}

export interface Convergence {
  converged: boolean;
  services: ServiceReplicas[];
  waitedMs: number;
  cancelled: boolean;
}

/** `docker service ls` for the stack: replicas running/desired per service (swarm counts a task as running once healthy). */
export async function stackReplicas(docker: DockerCli, stack: string): Promise<ServiceReplicas[]> {
  const rows = await docker.lines([
    "service",
    "ls",
    "--filter",
    `label=com.docker.stack.namespace=${stack}`,
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
  return services.map((s) => `${s.service} ${s.running}/${s.desired}`).join(", ") || "no services";
}

/** How long every service must stay N/N before the stack counts as converged. */
export const SETTLE_MS = 5_000;

/**
 * Polls until every service of the stack has run all its replicas, from its current spec, for SETTLE_MS
 * without a break (a crash-looping task shows 1/1 for a moment between restarts; an upgrade shows the old
 * tasks as N/N until swarm starts it), the timeout passes, or the run is cancelled.
 */
export async function waitForConvergence(
  docker: DockerCli,
  stack: string,
  timeoutMs: number,
  signal: AbortSignal,
  pollMs = 500,
  settleMs = SETTLE_MS,
): Promise<Convergence> {
  const started = Date.now();
  let services: ServiceReplicas[] = [];
  let convergedSince: number | undefined;
  while (!signal.aborted) {
    services = await stackReplicas(docker, stack);
    const replicasOk = services.length > 0 && services.every((s) => s.desired > 0 && s.running >= s.desired);
    const converged = replicasOk && (await specNotCurrent(docker, stack)) === undefined;
    convergedSince = converged ? (convergedSince ?? Date.now()) : undefined;
    if (convergedSince !== undefined && Date.now() - convergedSince >= settleMs) {
      return { converged: true, services, waitedMs: Date.now() - started, cancelled: false };
    }
    if (Date.now() - started >= timeoutMs) break;
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
  return { converged: false, services, waitedMs: Date.now() - started, cancelled: signal.aborted };
}
