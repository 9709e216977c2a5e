import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { DockerCli } from "../../src/deploy/docker.js";
import type { ExecResult } from "../../src/exec.js";
import type { FreeSpace, FreeSpaceReader } from "../../src/ops/disk-space.js";

export const silentLog = pino({ level: "silent" });

type Answer = Partial<ExecResult> | ((args: readonly string[]) => Partial<ExecResult>);

/** A docker CLI that records every call and answers from a table keyed by the first words. */
export class RecordingDocker extends DockerCli {
  readonly calls: string[][] = [];
  constructor(private readonly answers: Record<string, Answer> = {}) {
    super("docker-that-is-never-run");
  }
  override async run(args: readonly string[]): Promise<ExecResult> {
    this.calls.push([...args]);
    const key = Object.keys(this.answers)
      .sort((a, b) => b.length - a.length)
      .find((prefix) => args.join(" ").startsWith(prefix));
    const answer = key === undefined ? {} : this.answers[key]!;
    const given = typeof answer === "function" ? answer(args) : answer;
    return { exitCode: 0, stdout: "", stderr: "", interrupted: false, ...given };
  }
  callsStartingWith(...words: string[]): string[][] {
    return this.calls.filter((call) => words.every((word, i) => call[i] === word));
  }
}

const GB = 1024 ** 3;

/** Free space per path; each path answers its figures in turn and then keeps the last one. */
export function scriptedFreeSpace(
  script: Record<string, Array<[freeGb: number, totalGb: number, device: string]>>,
) {
  const reads: string[] = [];
  const reader: FreeSpaceReader = async (path) => {
    reads.push(path);
    const figures = script[path];
    if (!figures) throw new Error(`ENOENT: no such file or directory, statfs '${path}'`);
    const [free, total, device] = figures.length > 1 ? figures.shift()! : figures[0]!;
    return { freeBytes: free * GB, totalBytes: total * GB, device } satisfies FreeSpace;
  };
  return { reader, reads };
}

/** A journal as the engine writes it: a `run` entry, maybe resources, maybe a final state. */
export function writeJournal(
  stateDir: string,
  runId: string,
  options: { stack?: string; state?: string; resources?: Array<{ kind: string; name: string }> },
): void {
  const dir = join(stateDir, "journal");
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const lines = [{ at, type: "run", runId, recipe: "hello", mode: "cold", stack: options.stack }];
  for (const resource of options.resources ?? []) lines.push({ at, type: "resource", resource } as never);
  if (options.state) lines.push({ at, type: "state", state: options.state } as never);
  writeFileSync(join(dir, `${runId}.jsonl`), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
}
