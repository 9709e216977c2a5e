/** The label Docker puts on every object `docker stack deploy` makes (abra's deploys too). */
export const STACK_NAMESPACE_LABEL = "com.docker.stack.namespace";

/** The `--filter` arguments that select one stack's objects in `docker … ls` and `docker ps`. */
export function byStack(stack: string): string[] {
  return ["--filter", `label=${STACK_NAMESPACE_LABEL}=${stack}`];
}
