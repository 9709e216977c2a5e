/** The label Docker puts on every object `docker stack deploy` makes (abra's deploys too). */
export const STACK_NAMESPACE_LABEL = "com.docker.stack.namespace";

/** The `--filter` arguments that select one stack's objects in `docker … ls` and `docker ps`. */
export function byStack(stack: string): string[] {
  return ["--filter", `label=${STACK_NAMESPACE_LABEL}=${stack}`];
}

/** The label ccci puts on a custom assert's sandbox container: the stack it tests (not a stack object). */
export const SANDBOX_STACK_LABEL = "ccci.sandbox.stack";

/** The `--filter` arguments that select the sandboxes of one stack in `docker ps`. */
export function sandboxesOf(stack: string): string[] {
  return ["--filter", `label=${SANDBOX_STACK_LABEL}=${stack}`];
}
