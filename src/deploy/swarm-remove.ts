import { setTimeout as sleep } from "node:timers/promises";
import type { DockerCli } from "./docker.js";
import { byStack, sandboxesOf } from "./stack-label.js";
import { listStackResources, type StackResources } from "./stack-resources.js";

/**
 * Removes a stack and everything named after it, for good (a cold app's data is thrown away). Docker
 * reaps the containers of removed services lazily (8 s for a one-service stack here); force-removing
 * them makes teardown take under a second. Volumes and networks go once the containers are gone.
 */
export async function removeStack(
  docker: DockerCli,
  stack: string,
  deadlineMs = 90_000,
): Promise<StackResources> {
  const until = Date.now() + deadlineMs;
  await docker.run(["stack", "rm", stack]);
  let left = await listStackResources(docker, stack);
  while (Date.now() < until) {
    if (left.services.length > 0) await docker.removeAll("service", left.services);
    else if (left.containers.length > 0) await docker.run(["rm", "--force", "--volumes", ...left.containers]);
    if (left.containers.length === 0) {
      await docker.removeAll("volume", left.volumes);
      await docker.removeAll("secret", left.secrets);
      await docker.removeAll("config", left.configs);
      await docker.removeAll("network", left.networks);
    }
    left = await listStackResources(docker, stack);
    if (Object.values(left).every((list) => list.length === 0)) return left;
    await sleep(250);
  }
  return left;
}

/**
 * Takes the stack's services down but keeps volumes, secrets and configs (abra's `app undeploy`). The
 * containers are stopped gracefully (SIGTERM, then their stop grace period) and, once exited, removed at
 * once rather than waiting for docker's lazy reaping (seconds per stack). A running container is never
 * killed outright here.
 */
export async function undeployStack(docker: DockerCli, stack: string, deadlineMs = 90_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  const ofStack = byStack(stack);
  await docker.run(["stack", "rm", stack]);
  // An assert sandbox a crash left behind holds nothing worth keeping: it goes at once.
  const sandboxes = await docker.lines(["ps", "-aq", ...sandboxesOf(stack)]);
  if (sandboxes.length > 0) await docker.run(["rm", "--force", ...sandboxes]);
  // Swarm lets ~2 s pass for its load balancer to forget a task before it signals the container (moby's
  // gossip converge delay); nothing routes to a stack being removed, so the stop starts now. `docker stop`
  // without -t uses the grace period swarm gave the container (the service's stop_grace_period).
  const running = await docker.lines(["ps", "-q", ...ofStack]);
  if (running.length > 0) await docker.run(["stop", ...running]);
  while (Date.now() < until) {
    // Only what an undeploy removes: services, their containers, the stack's own networks.
    const [services, containers, networks] = await Promise.all([
      docker.lines(["service", "ls", "-q", ...ofStack]),
      docker.lines(["ps", "-aq", ...ofStack]),
      docker.lines(["network", "ls", "-q", ...ofStack]),
    ]);
    if (services.length === 0 && containers.length === 0 && networks.length === 0) return;
    if (services.length === 0 && containers.length > 0) {
      const exited = await docker.lines(["ps", "-aq", ...ofStack, "--filter", "status=exited"]);
      if (exited.length > 0 && (await docker.run(["rm", ...exited])).exitCode === 0) continue;
    }
    await sleep(250);
  }
}
