import type { DockerCli } from "../../deploy/docker.js";
import type { ComposeModel } from "../../recipe/compose.js";
import { runningContainers, type StackContainer } from "./containers.js";

export interface HealthVerdict {
  passed: boolean;
  detail: string;
  /** Services that are unhealthy or have no running container: their logs go in the report. */
  failing: string[];
}

/**
 * Every service has a running container, and every container with a healthcheck reports healthy (or,
 * in `probed`, passed its healthcheck when ccci ran it).
 */
export async function checkHealth(
  docker: DockerCli,
  stack: string,
  compose: ComposeModel,
  probed: ReadonlySet<string> = new Set(),
  /** Full service names expected to run nothing (`replicas: 0`, cron, finished job) → why. */
  notRunning: ReadonlyMap<string, string> = new Map(),
): Promise<HealthVerdict> {
  const containers = await runningContainers(docker, stack);
  const failing: string[] = [];
  const notes: string[] = [];
  for (const service of compose.services.keys()) {
    const full = `${stack}_${service}`;
    const mine = containers.filter((c) => c.service === full);
    const idle = notRunning.get(full);
    if (mine.length === 0 && idle) {
      notes.push(`${service}: not expected to run (${idle.slice(full.length + 1)})`);
      continue;
    }
    if (mine.length === 0) {
      failing.push(full);
      notes.push(`${service}: no running container`);
      continue;
    }
    // `starting` whose healthcheck passed when ccci ran it: Docker's first scheduled check is not due yet.
    const ranByCcci = (c: StackContainer) => c.health === "starting" && probed.has(c.id);
    const bad = mine.filter((c) => c.health !== "healthy" && c.health !== "none" && !ranByCcci(c));
    if (bad.length > 0) {
      failing.push(full);
      notes.push(`${service}: ${bad.map((c) => c.health).join(", ")}`);
    } else {
      notes.push(
        `${service}: ${
          mine.every((c) => c.health === "none")
            ? "running (no healthcheck)"
            : mine.some(ranByCcci)
              ? "healthy (its healthcheck passed when ccci ran it)"
              : "healthy"
        }`,
      );
    }
  }
  return { passed: failing.length === 0, detail: notes.join("; "), failing };
}
