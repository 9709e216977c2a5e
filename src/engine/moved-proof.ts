import { COMMIT_LABEL } from "../deploy/commit-labels.js";
import type { DockerCli } from "../deploy/docker.js";
import { inspectStackServices } from "../deploy/stack-services.js";
import { runningContainers } from "./asserts/containers.js";

export interface MovedProof {
  passed: boolean;
  detail: string;
}

/**
 * Proof that an upgrade really moved the deployment to the head: every service's spec carries the
 * head's commit (ccci's commit label, or abra's `chaos-version` label), no update was rolled back, and
 * every running container was made from the new spec.
 */
export async function proveMoved(docker: DockerCli, stack: string, head: string): Promise<MovedProof> {
  const services = await inspectStackServices(docker, stack);
  if (services.length === 0) return { passed: false, detail: "no services left to inspect" };
  const problems: string[] = [];
  for (const service of services) {
    const name = service.Spec?.Name ?? "?";
    const labels = service.Spec?.Labels ?? {};
    const chaos = labels[`coop-cloud.${stack}.chaos-version`];
    const commit = labels[COMMIT_LABEL] ?? chaos;
    if (!commit) problems.push(`${name}: no commit label (${COMMIT_LABEL} or chaos-version)`);
    else if (!head.startsWith(commit.replace(/\+U$/, "")) && commit !== head)
      problems.push(`${name}: runs ${commit.slice(0, 12)}, not ${head.slice(0, 12)}`);
    const update = service.UpdateStatus?.State ?? "";
    if (update.startsWith("rollback"))
      problems.push(
        `${name}: swarm rolled the update back (${update}: ${service.UpdateStatus?.Message ?? ""})`,
      );
  }
  for (const container of await runningContainers(docker, stack)) {
    const commit = container.labels[COMMIT_LABEL];
    if (commit !== undefined && commit !== head)
      problems.push(`container of ${container.service} still runs ${commit.slice(0, 12)}`);
  }
  return problems.length === 0
    ? { passed: true, detail: `every service runs ${head.slice(0, 12)}` }
    : { passed: false, detail: `the deployment did not move to the head: ${problems.join("; ")}` };
}
