import { byStack, SANDBOX_STACK_LABEL } from "../../deploy/stack-label.js";

export { SANDBOX_STACK_LABEL };

/**
 * Every docker argument list of the custom-assert sandbox, in one place. The sandbox is one throwaway
 * container per assert: the recipe checkout read-only and the ccci-exec socket are its only host files;
 * no Docker socket, no capabilities, a non-root user, a read-only root with a small /tmp, memory and
 * process limits, no log kept by docker (the output streams to ccci, which keeps a bounded tail).
 */

export const SANDBOX_RUN_LABEL = "ccci.sandbox.run";
/** Where the checkout and the ccci-exec socket appear inside the sandbox. */
export const SANDBOX_RECIPE_DIR = "/recipe";
export const SANDBOX_EXEC_SOCKET = "/run/ccci/exec.sock";
/** The user asserts run as, whatever the image says. */
export const SANDBOX_USER = "10001:10001";
export const SANDBOX_PIDS_LIMIT = 256;

export interface SandboxSpec {
  /** Container name: `<stack>_ccci-assert-<n>-<hex>` (abra's ownership by name holds for it too). */
  name: string;
  runId: string;
  stack: string;
  image: string;
  checkoutDir: string;
  socketPath: string;
  /** `container:<id>` (share a run container's network) or `none`. */
  network: string;
  /** A 0600 file of `NAME=value` lines: values never appear in an argument list or ccci's environment. */
  envFile: string;
  memoryMb: number;
  /** The assert's path inside the sandbox. */
  command: string;
}

export function sandboxRunArgs(spec: SandboxSpec): string[] {
  return [
    "run",
    "--rm",
    "--pull",
    "never",
    "--name",
    spec.name,
    "--label",
    `${SANDBOX_STACK_LABEL}=${spec.stack}`,
    "--label",
    `${SANDBOX_RUN_LABEL}=${spec.runId}`,
    "--network",
    spec.network,
    "--user",
    SANDBOX_USER,
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--read-only",
    "--tmpfs",
    "/tmp:rw,nosuid,nodev,size=64m",
    "--memory",
    `${spec.memoryMb}m`,
    "--memory-swap",
    `${spec.memoryMb}m`,
    "--pids-limit",
    String(SANDBOX_PIDS_LIMIT),
    "--log-driver",
    "none",
    "--init",
    "--volume",
    `${spec.checkoutDir}:${SANDBOX_RECIPE_DIR}:ro`,
    "--volume",
    `${spec.socketPath}:${SANDBOX_EXEC_SOCKET}`,
    "--workdir",
    SANDBOX_RECIPE_DIR,
    "--env-file",
    spec.envFile,
    "--entrypoint",
    spec.command,
    spec.image,
  ];
}

/** Kills and removes the sandbox at once (timeout, cancel, or just making sure). */
export function sandboxRemoveArgs(name: string): string[] {
  return ["rm", "--force", name];
}

/** `docker exec` in one of the run's containers for ccci-exec: no -i/-t/-u/-e/--privileged, ever. */
export function serviceExecArgs(container: string, command: string[]): string[] {
  return ["exec", container, ...command];
}

/** What ccci needs to know of a container before a sandbox may share its network. */
export function networkModeArgs(container: string, stack: string): { inspect: string[]; ofStack: string[] } {
  return {
    inspect: ["inspect", "--format", "{{.HostConfig.NetworkMode}}", container],
    ofStack: ["ps", "-q", "--no-trunc", ...byStack(stack), "--filter", `id=${container}`],
  };
}
