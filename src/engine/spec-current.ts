import { COMMIT_LABEL } from "../deploy/commit-labels.js";
import type { DockerCli } from "../deploy/docker.js";
import { inspectStackServices } from "../deploy/stack-services.js";
import { runningContainers } from "./asserts/containers.js";

const inFlight = new Set(["updating", "paused", "rollback_started", "rollback_paused"]);

/**
 * Why the stack's running tasks are not yet those of its current spec, or undefined when they are. Right
 * after a redeploy the old tasks still run and count as N/N until swarm starts the update, so replica
 * counts alone would call an upgrade converged before it began.
 */
export async function specNotCurrent(docker: DockerCli, stack: string): Promise<string | undefined> {
  const services = await inspectStackServices(docker, stack);
  if (services.length === 0) return undefined;
  const containers = await runningContainers(docker, stack);
  for (const service of services) {
    const name = service.Spec?.Name ?? "?";
    const update = service.UpdateStatus?.State;
    if (update && inFlight.has(update)) return `${name}: update ${update}`;
    const wanted = service.Spec?.Labels?.[COMMIT_LABEL];
    if (!wanted) continue;
    const stale = containers.filter((c) => c.service === name && c.labels[COMMIT_LABEL] !== wanted);
    if (stale.length > 0) return `${name}: ${stale.length} task(s) of an earlier version still running`;
  }
  return undefined;
}
