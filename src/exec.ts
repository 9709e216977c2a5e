import { execa } from "execa";

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Replace the environment instead of extending process.env. */
  extendEnv?: boolean;
  input?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the command was stopped by the signal or the timeout. */
  interrupted: boolean;
  /** Set when the executable could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
}

/**
 * Runs a command with an argument array (never a shell string) and never throws for a non-zero exit:
 * callers decide what a failure means. Output is captured whole; callers redact before showing it.
 */
export async function exec(
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const result = await execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: options.extendEnv ?? true,
    input: options.input,
    cancelSignal: options.signal,
    timeout: options.timeoutMs,
    reject: false,
    stripFinalNewline: true,
    forceKillAfterDelay: 5_000,
  });
  const spawnFailed =
    result.failed && result.exitCode === undefined && !result.isCanceled && !result.timedOut;
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    interrupted: Boolean(result.isCanceled || result.timedOut || result.isTerminated),
    spawnError: spawnFailed ? result.shortMessage : undefined,
  };
}
