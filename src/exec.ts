import { type ChildProcess, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { TailBuffer } from "./tail-buffer.js";

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Replace the environment instead of extending process.env. */
  extendEnv?: boolean;
  input?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Bytes of stdout and of stderr kept (each); beyond it only the tail is kept. Default 16 MiB. */
  maxOutputBytes?: number;
  /** Between SIGTERM and SIGKILL to the process group on timeout or cancel. Default 2 s. */
  killGraceMs?: number;
  /** Drop one trailing newline of stdout and stderr (default true); false relays output as it was. */
  stripFinalNewline?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the command was stopped by the signal or the timeout (or died of a signal). */
  interrupted: boolean;
  timedOut?: boolean;
  cancelled?: boolean;
  /** True when stdout or stderr exceeded `maxOutputBytes` and only its tail was kept. */
  truncated?: boolean;
  /** Set when the executable could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** How long output pipes may stay open after the command exited (a grandchild holding them). */
const PIPE_GRACE_MS = 1_000;

/** Process groups still running: killed if ccci itself exits first (they no longer share its group). */
const liveGroups = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveGroups) killGroup(child, "SIGKILL");
});

/** Signals the whole process group: the command and every child it did not move to a new session. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

function environment(options: ExecOptions): NodeJS.ProcessEnv {
  const base = options.extendEnv === false ? {} : process.env;
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries({ ...base, ...options.env }))
    if (value !== undefined) env[name] = value;
  return env;
}

/** Resolves once both streams ended, or `grace` ms after `exited` resolved, whichever is first. */
function streamsClosed(streams: Readable[], exited: Promise<void>, grace: number): Promise<boolean> {
  const ended = Promise.all(streams.map((s) => new Promise<void>((done) => s.once("close", done))));
  return new Promise((resolve) => {
    void ended.then(() => resolve(true));
    void exited.then(() => setTimeout(() => resolve(false), grace).unref());
  });
}

/**
 * Runs a command with an argument array (never a shell string) and never throws for a non-zero exit:
 * callers decide what a failure means. The command gets its own process group; a timeout or cancel
 * sends SIGTERM to the whole group, SIGKILL after a grace, and stops waiting for pipes a leftover
 * (a `setsid` grandchild) may still hold. Output keeps its last `maxOutputBytes`; callers redact it.
 */
export function exec(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const stdout = new TailBuffer(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const stderr = new TailBuffer(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const state = { timedOut: false, cancelled: false, spawnError: undefined as string | undefined };
  const strip = (text: string) => (options.stripFinalNewline === false ? text : text.replace(/\r?\n$/, ""));
  const result = (exitCode: number, signalled: boolean): ExecResult => ({
    exitCode,
    stdout: strip(stdout.text()),
    stderr: strip(stderr.text()),
    interrupted: state.timedOut || state.cancelled || signalled,
    timedOut: state.timedOut,
    cancelled: state.cancelled,
    truncated: stdout.truncated || stderr.truncated,
    spawnError: state.spawnError,
  });
  if (options.signal?.aborted) {
    state.cancelled = true;
    return Promise.resolve(result(-1, false));
  }
  const child = spawn(file, [...args], {
    cwd: options.cwd,
    env: environment(options),
    detached: true,
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  liveGroups.add(child);
  return supervise(child, options, { stdout, stderr, state, result }).finally(() => liveGroups.delete(child));
}

interface Capture {
  stdout: TailBuffer;
  stderr: TailBuffer;
  state: { timedOut: boolean; cancelled: boolean; spawnError?: string };
  result: (exitCode: number, signalled: boolean) => ExecResult;
}

async function supervise(child: ChildProcess, options: ExecOptions, capture: Capture): Promise<ExecResult> {
  const { state } = capture;
  child.stdout!.on("data", (chunk: Buffer) => capture.stdout.push(chunk));
  child.stderr!.on("data", (chunk: Buffer) => capture.stderr.push(chunk));
  if (options.input !== undefined) {
    child.stdin!.on("error", () => {}); // the command may exit without reading its input
    child.stdin!.end(options.input);
  }
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    killGroup(child, "SIGTERM");
    killTimer ??= setTimeout(() => killGroup(child, "SIGKILL"), options.killGraceMs ?? 2_000);
  };
  const onAbort = () => {
    state.cancelled = true;
    stop();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          state.timedOut = true;
          stop();
        }, options.timeoutMs);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => {
      state.spawnError = error.message;
      resolve({ code: null, signal: null });
    });
  });
  const exited = exit.then(() => undefined);
  const closed = await streamsClosed([child.stdout!, child.stderr!], exited, PIPE_GRACE_MS);
  const { code, signal } = await exit;
  if (!closed) {
    // Something of the command still holds its output: end it and stop reading.
    killGroup(child, "SIGKILL");
    child.stdout!.destroy();
    child.stderr!.destroy();
  }
  clearTimeout(timer);
  clearTimeout(killTimer);
  options.signal?.removeEventListener("abort", onAbort);
  return capture.result(code ?? -1, signal !== null);
}
