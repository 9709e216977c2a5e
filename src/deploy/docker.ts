import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { execa } from "execa";
import { CcciError } from "../errors.js";
import { type ExecOptions, type ExecResult, exec } from "../exec.js";

/** A docker call without a bound of its own may take this long (CCCI_DOCKER_TIMEOUT's default). */
export const DEFAULT_DOCKER_TIMEOUT_MS = 120_000;

/**
 * The docker CLI, called with argument arrays. Methods are named by what they achieve. Every call is
 * bounded: by its own `timeoutMs`, else the CLI's default; `withSignal` gives a view whose calls also
 * stop on a run's cancel (teardown keeps the unsignalled one: it must finish after a cancel).
 */
export class DockerCli {
  constructor(
    private readonly bin = "docker",
    private readonly defaultTimeoutMs = DEFAULT_DOCKER_TIMEOUT_MS,
    private readonly signal?: AbortSignal,
  ) {}

  /** The same CLI whose calls also stop when `signal` aborts. */
  withSignal(signal: AbortSignal): DockerCli {
    return new DockerCli(this.bin, this.defaultTimeoutMs, signal);
  }

  async run(args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const result = await exec(this.bin, args, {
      ...options,
      timeoutMs: options.timeoutMs ?? this.defaultTimeoutMs,
      signal: options.signal ?? this.signal,
    });
    if (result.spawnError) {
      throw new CcciError("DRIVER_UNAVAILABLE", `cannot run ${this.bin}: ${result.spawnError}`);
    }
    return result;
  }

  /** Runs and returns stdout; throws with docker's own message on failure. */
  async output(args: readonly string[], options: ExecOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.exitCode !== 0) {
      const what = args.slice(0, 2).join(" ");
      if (result.timedOut)
        throw new Error(
          `docker ${what} did not answer within ${Math.round((options.timeoutMs ?? this.defaultTimeoutMs) / 1000)} s`,
        );
      if (result.cancelled) {
        const signal = options.signal ?? this.signal;
        // A run's cancel carries its reason as text; a deadline of ccci's own carries an Error.
        if (signal?.reason instanceof Error)
          throw new Error(`docker ${what} stopped: ${signal.reason.message}`);
        throw new CcciError("CANCELLED", `docker ${what} stopped: ${String(signal?.reason ?? "cancelled")}`);
      }
      throw new Error(`docker ${what} failed: ${(result.stderr || result.stdout).trim()}`);
    }
    return result.stdout;
  }

  /**
   * `docker cp <container>:<path> -` into a tar file on the host (docker reads the container's files,
   * volumes included; the image needs no tar). Bounded in size (`maxBytes`: the copy stops, the file is
   * removed) and in time (the CLI's default). Returns docker's error or the bound crossed, or undefined.
   */
  async copyOut(
    container: string,
    path: string,
    tarFile: string,
    signal?: AbortSignal,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<string | undefined> {
    const child = execa(this.bin, ["cp", `${container}:${path}`, "-"], {
      reject: false,
      cancelSignal: signal ?? this.signal,
      timeout: this.defaultTimeoutMs,
      forceKillAfterDelay: 2_000,
      buffer: { stdout: false },
    });
    let bytes = 0;
    let tooLarge = false;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > maxBytes && !tooLarge) {
          tooLarge = true;
          child.kill("SIGKILL");
        }
        done(null, tooLarge ? undefined : chunk);
      },
    });
    const [result] = await Promise.all([
      child,
      pipeline(child.stdout, counter, createWriteStream(tarFile)).catch(() => undefined),
    ]);
    if (tooLarge) {
      await rm(tarFile, { force: true });
      return `the copy is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB (CCCI_BACKUP_MAX_MIB); stopped`;
    }
    if (result.timedOut)
      return `docker cp did not finish within ${Math.round(this.defaultTimeoutMs / 1000)} s`;
    return result.exitCode === 0
      ? undefined
      : String(result.stderr).trim() || `docker cp exit ${result.exitCode}`;
  }

  /** `docker cp - <container>:<dir>`: extracts a tar file (as `copyOut` made it) into the container's dir. */
  async copyIn(
    tarFile: string,
    container: string,
    dir: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const result = await execa(this.bin, ["cp", "-", `${container}:${dir}`], {
      stdin: { file: tarFile },
      reject: false,
      cancelSignal: signal ?? this.signal,
      timeout: this.defaultTimeoutMs,
      forceKillAfterDelay: 2_000,
    });
    if (result.timedOut)
      return `docker cp did not finish within ${Math.round(this.defaultTimeoutMs / 1000)} s`;
    return result.exitCode === 0
      ? undefined
      : String(result.stderr).trim() || `docker cp exit ${result.exitCode}`;
  }

  /** Names (or ids) printed one per line by an `ls`-style command. */
  async lines(args: readonly string[], options: ExecOptions = {}): Promise<string[]> {
    const out = await this.output(args, options);
    return out
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.length > 0);
  }

  async jsonLines<T>(args: readonly string[], options: ExecOptions = {}): Promise<T[]> {
    return (await this.lines(args, options)).map((line) => JSON.parse(line) as T);
  }

  /** Creates the overlay network unless it exists. Never removed by ccci: other stacks share it. */
  async ensureNetwork(name: string): Promise<void> {
    const inspect = await this.run(["network", "inspect", name]);
    if (inspect.exitCode === 0) return;
    const create = await this.run(["network", "create", "--driver", "overlay", "--attachable", name]);
    if (create.exitCode !== 0 && !/already exists/i.test(create.stderr)) {
      throw new Error(`cannot create network ${name}: ${create.stderr.trim()}`);
    }
  }

  /** `docker secret create` from stdin, so the value never appears in an argument list. */
  async createSecret(name: string, value: string, labels: Record<string, string>): Promise<void> {
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    const result = await this.run(["secret", "create", ...labelArgs, name, "-"], { input: value });
    if (result.exitCode !== 0 && !/already exists/i.test(result.stderr)) {
      throw new Error(`cannot create secret ${name}: ${result.stderr.trim()}`);
    }
  }

  /** Removes objects of one kind; "no such …" counts as success. Returns the names still present. */
  async removeAll(
    kind: "secret" | "config" | "volume" | "network" | "service",
    names: string[],
  ): Promise<string[]> {
    if (names.length === 0) return [];
    const left: string[] = [];
    for (const name of names) {
      const result = await this.run([kind, "rm", name]);
      if (result.exitCode !== 0 && !/no such|not found/i.test(result.stderr)) left.push(name);
    }
    return left;
  }
}
