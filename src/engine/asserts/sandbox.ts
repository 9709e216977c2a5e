import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DockerCli } from "../../deploy/docker.js";
import type { ExecResult } from "../../exec.js";
import type { Logger } from "../../log.js";
import { ExecBroker } from "./exec-broker.js";
import {
  networkModeArgs,
  SANDBOX_RECIPE_DIR,
  type SandboxSpec,
  sandboxRemoveArgs,
  sandboxRunArgs,
} from "./sandbox-args.js";

export interface SandboxRun {
  docker: DockerCli;
  log: Logger;
  runId: string;
  stack: string;
  /** Short compose names of the run's services (what ccci-exec may reach). */
  services: string[];
  image: string;
  memoryMb: number;
  checkoutDir: string;
  /** From `sandboxNetwork`: `container:<id>` of a run container, or `none`. */
  network: string;
  env: Record<string, string>;
  /** Relative to the checkout, e.g. `tests/ccci/10-serves-greeting`. */
  path: string;
  timeoutMs: number;
  maxOutputBytes: number;
  signal: AbortSignal;
}

export interface SandboxResult extends ExecResult {
  /** What the assert asked of ccci-exec, refused or run. */
  execCalls: string[];
  network: string;
}

/**
 * The network the sandbox shares: a run container's own namespace (the sandbox then reaches every
 * network that container is on and resolves the stack's services by name), never a container outside
 * the stack and never the host's network: then `none`, and ccci-exec is the way in.
 */
export async function sandboxNetwork(docker: DockerCli, stack: string, container?: string): Promise<string> {
  if (!container || !/^[0-9a-f]{12,64}$/.test(container)) return "none";
  const args = networkModeArgs(container, stack);
  const [ofStack, mode] = await Promise.all([docker.run(args.ofStack), docker.run(args.inspect)]);
  if (ofStack.exitCode !== 0 || ofStack.stdout.trim() === "") return "none";
  const networkMode = mode.stdout.trim();
  if (mode.exitCode !== 0 || networkMode === "host" || networkMode.startsWith("container:")) return "none";
  return `container:${container}`;
}

/** docker's env-file format has no quoting: a value with a line break cannot be passed and is left out. */
async function writeEnvFile(dir: string, env: Record<string, string>): Promise<string> {
  const lines = Object.entries(env)
    .filter(([name, value]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !/[\r\n]/.test(value))
    .map(([name, value]) => `${name}=${value}\n`);
  const path = join(dir, "env");
  await writeFile(path, lines.join(""), { mode: 0o600 });
  return path;
}

/**
 * Runs one assert in a throwaway container and removes it whatever happens: on timeout or cancel the
 * container is killed with everything it started (a forked daemon, a `setsid` child, a process that
 * ignores SIGTERM), because they all live and die in its namespace.
 */
export async function runSandboxed(input: SandboxRun): Promise<SandboxResult> {
  const deadline = Date.now() + input.timeoutMs;
  const broker = await ExecBroker.start({
    docker: input.docker,
    stack: input.stack,
    services: input.services,
    deadline,
    maxOutputBytes: input.maxOutputBytes,
    log: input.log,
  });
  const spec: SandboxSpec = {
    name: `${input.stack}_ccci-assert-${randomBytes(4).toString("hex")}`,
    runId: input.runId,
    stack: input.stack,
    image: input.image,
    checkoutDir: input.checkoutDir,
    socketPath: broker.socketPath,
    network: input.network,
    envFile: await writeEnvFile(broker.dir, input.env),
    memoryMb: input.memoryMb,
    command: `${SANDBOX_RECIPE_DIR}/${input.path}`,
  };
  try {
    const result = await input.docker.run(sandboxRunArgs(spec), {
      timeoutMs: input.timeoutMs,
      signal: input.signal,
      maxOutputBytes: input.maxOutputBytes,
    });
    return { ...result, execCalls: broker.calls, network: spec.network };
  } finally {
    // docker run --rm removes it on a normal exit; after a kill of the CLI only this does.
    const removed = await input.docker.run(sandboxRemoveArgs(spec.name), { timeoutMs: 30_000 });
    if (removed.exitCode !== 0 && !/no such container/i.test(removed.stderr))
      input.log.warn({ container: spec.name, stderr: removed.stderr }, "cannot remove an assert sandbox yet");
    await broker.close();
  }
}
