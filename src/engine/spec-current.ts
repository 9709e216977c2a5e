import { COMMIT_LABEL } from "../deploy/commit-labels.js";
import type { DockerCli } from "../deploy/docker.js";
import { inspectStackServices } from "../deploy/stack-services.js";
import { runningContainers, type StackContainer } from "./asserts/containers.js";

const inFlight = new Set(["updating", "paused", "rollback_started", "rollback_paused"]);

/**
 * Why the stack's running tasks are not yet those of its current spec, or undefined when they are. Right
 * after a redeploy the old tasks still run and count as N/N until swarm starts the update, so replica
 * counts alone would call an upgrade converged before it began.
 */
export async function specNotCurrent(
  docker: DockerCli,
  stack: string,
  running?: StackContainer[],
): Promise<string | undefined> {
  const services = await inspectStackServices(docker, stack);
  if (services.length === 0) return undefined;
  const containers = running ?? (await runningContainers(docker, stack));
  for (const service of services) {
    const name = service.Spec?.Name ?? "?";
    const update = service.UpdateStatus?.State;
    const wanted = service.Spec?.Labels?.[COMMIT_LABEL];
    // Without ccci's commit label (abra) only swarm's own update state says whether the update is done.
    if (!wanted) {
      if (update && inFlight.has(update)) return `${name}: update ${update}`;
      continue;
    }
    const mine = containers.filter((c) => c.service === name);
    const stale = mine.filter((c) => c.labels[COMMIT_LABEL] !== wanted);
    if (stale.length > 0) return `${name}: ${stale.length} task(s) of an earlier version still running`;
    // Swarm keeps `updating` through its monitor window after the new tasks are up; the settle window
    // that follows covers the same ground, so it may overlap — unless nothing of the new spec runs yet.
    if (update && inFlight.has(update) && mine.length === 0) return `${name}: update ${update}`;
  }
  return undefined;
}
