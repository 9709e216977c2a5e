import type { DockerCli } from "./docker.js";
import { byStack, sandboxesOf } from "./stack-label.js";

/** Everything on the swarm that belongs to one stack, by abra's naming and docker's stack label. */
export interface StackResources {
  stacks: string[];
  services: string[];
  containers: string[];
  volumes: string[];
  secrets: string[];
  configs: string[];
  networks: string[];
}

export const resourceKinds = [
  "stacks",
  "services",
  "containers",
  "volumes",
  "secrets",
  "configs",
  "networks",
] as const;

function owned(names: string[], stack: string): string[] {
  return [...new Set(names)].filter((name) => name === stack || name.startsWith(`${stack}_`)).sort();
}

/** Lists the stack's resources; labelled ones and ones named `<stack>_*` both count. */
export async function listStackResources(docker: DockerCli, stack: string): Promise<StackResources> {
  const byLabelOrName = async (kind: "volume" | "network" | "secret" | "config") => {
    const labelled = await docker.lines([kind, "ls", ...byStack(stack), "--format", "{{.Name}}"]);
    // docker 20.10's `network ls --filter name=` misses swarm-scoped overlay networks: list all and match here.
    const nameFilter = kind === "network" ? [] : ["--filter", `name=${stack}_`];
    const named = await docker.lines([kind, "ls", ...nameFilter, "--format", "{{.Name}}"]);
    return [...new Set([...labelled, ...owned(named, stack)])].sort();
  };
  const [stacks, services, containers, sandboxes, volumes, secrets, configs, networks] = await Promise.all([
    docker.lines(["stack", "ls", "--format", "{{.Name}}"]).then((all) => all.filter((s) => s === stack)),
    docker.lines(["service", "ls", ...byStack(stack), "--format", "{{.Name}}"]),
    docker.lines(["ps", "-a", ...byStack(stack), "--format", "{{.Names}}"]),
    // A custom assert's sandbox is not a stack object, but it is the run's and must not outlive it.
    docker.lines(["ps", "-a", ...sandboxesOf(stack), "--format", "{{.Names}}"]),
    byLabelOrName("volume"),
    byLabelOrName("secret"),
    byLabelOrName("config"),
    byLabelOrName("network"),
  ]);
  return {
    stacks,
    services,
    containers: [...new Set([...containers, ...sandboxes])].sort(),
    volumes,
    secrets,
    configs,
    networks,
  };
}

export function countResources(resources: StackResources): number {
  return resourceKinds.reduce((sum, kind) => sum + resources[kind].length, 0);
}

export function describeResources(resources: StackResources): string {
  return resourceKinds
    .filter((kind) => resources[kind].length > 0)
    .map((kind) => `${kind}: ${resources[kind].join(", ")}`)
    .join("; ");
}

/**
 * What of a canonical's stack is left after an undeploy that should not be: its volumes and secrets stay
 * by design, anything else (services, containers, networks, configs) is a leak. Empty when clean.
 */
export function canonicalLeaks(left: StackResources): string {
  const leaked = { ...left, volumes: [], secrets: [] };
  return countResources(leaked) > 0 ? describeResources(leaked) : "";
}
