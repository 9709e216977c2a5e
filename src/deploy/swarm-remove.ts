import { setTimeout as sleep } from "node:timers/promises";
import type { DockerCli } from "./docker.js";
import { listStackResources, type StackResources } from "./stack-resources.js";

/**
 * Removes a stack and everything named after it. Volumes and networks can only go once the stack's
 * containers are gone, which docker does asynchronously after `stack rm`: retry until a deadline.
 */
export async function removeStack(docker: DockerCli, stack: string, deadlineMs = 90_000): Promise<StackResources> {
  const until = Date.now() + deadlineMs;
  await docker.run(["stack", "rm", stack]);
  let left = await listStackResources(docker, stack);
  while (Date.now() < until) {
    if (left.services.length > 0) await docker.removeAll("service", left.services);
    if (left.containers.length === 0) {
      await docker.removeAll("volume", left.volumes);
      await docker.removeAll("secret", left.secrets);
      await docker.removeAll("config", left.configs);
      await docker.removeAll("network", left.networks);
    }
    left = await listStackResources(docker, stack);
    if (Object.values(left).every((list) => list.length === 0)) return left;
    await sleep(1_000);
  }
  return left;
}

/** Takes the stack's services down but keeps volumes, secrets and configs (abra's `app undeploy`). */
export async function undeployStack(docker: DockerCli, stack: string, deadlineMs = 90_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  await docker.run(["stack", "rm", stack]);
  while (Date.now() < until) {
    const left = await listStackResources(docker, stack);
    if (left.services.length === 0 && left.containers.length === 0 && left.networks.length === 0) return;
    await sleep(1_000);
  }
}
