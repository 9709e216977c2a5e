import { execa } from "execa";
import { CcciError } from "../errors.js";
import { type ExecOptions, type ExecResult, exec } from "../exec.js";

/** The docker CLI, called with argument arrays. Methods are named by what they achieve. */
export class DockerCli {
  constructor(private readonly bin = "docker") {}

  async run(args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const result = await exec(this.bin, args, options);
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
      throw new Error(`docker ${what} failed: ${(result.stderr || result.stdout).trim()}`);
    }
    return result.stdout;
  }

  /**
   * `docker cp <container>:<path> -` into a tar file on the host (docker reads the container's files,
   * volumes included; the image needs no tar). Returns docker's error, or undefined.
   */
  async copyOut(
    container: string,
    path: string,
    tarFile: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const result = await execa(this.bin, ["cp", `${container}:${path}`, "-"], {
      stdout: { file: tarFile },
      reject: false,
      cancelSignal: signal,
    });
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
      cancelSignal: signal,
    });
    return result.exitCode === 0
      ? undefined
      : String(result.stderr).trim() || `docker cp exit ${result.exitCode}`;
  }

  /** Names (or ids) printed one per line by an `ls`-style command. */
  async lines(args: readonly string[]): Promise<string[]> {
    const out = await this.output(args);
    return out
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.length > 0);
  }

  async jsonLines<T>(args: readonly string[]): Promise<T[]> {
    return (await this.lines(args)).map((line) => JSON.parse(line) as T);
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
