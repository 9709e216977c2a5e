import type { DockerCli } from "../deploy/docker.js";
import { STACK_NAMESPACE_LABEL } from "../deploy/stack-label.js";
import type { StackResources } from "../deploy/stack-resources.js";

export type ResourceKind = keyof StackResources;

/** One object on the swarm, with the stack docker says it belongs to (if it carries the label). */
export interface SwarmObject {
  kind: ResourceKind;
  name: string;
  namespace?: string;
}

const withNamespace = `{{.Name}}\t{{.Label "${STACK_NAMESPACE_LABEL}"}}`;

function parse(kind: ResourceKind, lines: string[]): SwarmObject[] {
  return lines.map((line) => {
    const [name = "", namespace = ""] = line.split("\t");
    return namespace ? { kind, name, namespace } : { kind, name };
  });
}

/**
 * Everything on the swarm, one `ls` per kind: a closure check over months of journals must not cost
 * seven docker calls per run. Services carry no label column in `service ls`; their names always
 * start with `<stack>_`.
 */
export async function listSwarmInventory(docker: DockerCli): Promise<SwarmObject[]> {
  const [stacks, services, containers, volumes, secrets, configs, networks] = await Promise.all([
    docker.lines(["stack", "ls", "--format", "{{.Name}}"]),
    docker.lines(["service", "ls", "--format", "{{.Name}}"]),
    docker.lines(["ps", "-a", "--format", `{{.Names}}\t{{.Label "${STACK_NAMESPACE_LABEL}"}}`]),
    docker.lines(["volume", "ls", "--format", withNamespace]),
    docker.lines(["secret", "ls", "--format", withNamespace]),
    docker.lines(["config", "ls", "--format", withNamespace]),
    docker.lines(["network", "ls", "--format", withNamespace]),
  ]);
  return [
    ...stacks.map((name) => ({ kind: "stacks" as const, name, namespace: name })),
    ...parse("services", services),
    ...parse("containers", containers),
    ...parse("volumes", volumes),
    ...parse("secrets", secrets),
    ...parse("configs", configs),
    ...parse("networks", networks),
  ];
}

export function emptyResources(): StackResources {
  return { stacks: [], services: [], containers: [], volumes: [], secrets: [], configs: [], networks: [] };
}

/**
 * The stack an object belongs to among `stacks`: its namespace label, else the longest stack whose
 * name is the object's name or a `<stack>_` prefix of it (abra's naming).
 */
export function ownerOf(object: SwarmObject, stacks: ReadonlySet<string>): string | undefined {
  if (object.namespace && stacks.has(object.namespace)) return object.namespace;
  let owner: string | undefined;
  for (const stack of stacks) {
    const named = object.name === stack || object.name.startsWith(`${stack}_`);
    if (named && (!owner || stack.length > owner.length)) owner = stack;
  }
  return owner;
}
