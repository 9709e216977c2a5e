import { lstat, rm } from "node:fs/promises";
import { join } from "node:path";
import type { DockerCli } from "../deploy/docker.js";
import { readJournals } from "./closure-journals.js";

/** What one prune step removed. `reclaimed` is docker's own figure (`1.2GB`), when it gives one. */
export interface PruneRecord {
  what: "stopped containers" | "dangling images" | "build cache" | "finished run dirs";
  removed: string[];
  reclaimed?: string;
  error?: string;
}

export interface DockerPruneOptions {
  /**
   * Extra `--filter` values for every prune. Production uses `until=1h` so a run that is reading the
   * logs of a just-exited task keeps them; tests scope prunes to their own label on a shared engine.
   */
  filters: string[];
}

/** Docker's prune output: `Deleted Containers:` / `deleted: sha256:…` lines, then `Total reclaimed space: X`. */
export function parsePruneOutput(stdout: string): { removed: string[]; reclaimed?: string } {
  const lines = stdout.split("\n").map((line) => line.trim());
  const reclaimed = lines
    .find((l) => l.startsWith("Total reclaimed space:"))
    ?.split(":")[1]
    ?.trim();
  const removed = lines
    .filter((l) => l.length > 0 && !l.endsWith(":") && !l.startsWith("Total reclaimed space:"))
    .map((l) => l.replace(/^(deleted|untagged):\s*/i, ""));
  return { removed, reclaimed };
}

/**
 * The docker prunes that are safe on a CI host: stopped containers, dangling (untagged) images only —
 * never `-a`, which would throw away the tagged images canonicals and cached recipes need and cost
 * re-pulls — and the build cache. Volumes are never pruned: warm canonicals keep their data in them.
 */
export async function pruneDocker(docker: DockerCli, options: DockerPruneOptions): Promise<PruneRecord[]> {
  const filters = options.filters.flatMap((filter) => ["--filter", filter]);
  const steps: Array<[PruneRecord["what"], string[]]> = [
    ["stopped containers", ["container", "prune", "--force", ...filters]],
    ["dangling images", ["image", "prune", "--force", ...filters]],
    ["build cache", ["builder", "prune", "--force", ...filters]],
  ];
  const records: PruneRecord[] = [];
  for (const [what, args] of steps) {
    const result = await docker.run(args);
    if (result.exitCode !== 0) {
      records.push({ what, removed: [], error: (result.stderr || result.stdout).trim().slice(0, 300) });
      continue;
    }
    records.push({ what, ...parsePruneOutput(result.stdout) });
  }
  return records;
}

/**
 * Run dirs (checkouts, rendered env files) of runs whose journal records a final state. Teardown
 * removes them already; what is left is from a teardown that failed. Dirs without a journal or with an
 * unfinished one may belong to a live run or await crash recovery, so they stay. Journals stay too:
 * the closure check reads them.
 */
export async function pruneFinishedRunDirs(stateDir: string): Promise<PruneRecord> {
  const record: PruneRecord = { what: "finished run dirs", removed: [] };
  for (const journal of await readJournals(stateDir)) {
    if (!journal.finished) continue;
    const dir = join(stateDir, "runs", journal.runId);
    const info = await lstat(dir).catch(() => undefined);
    if (!info?.isDirectory()) continue; // absent, or a symlink pointing who knows where
    try {
      await rm(dir, { recursive: true, force: true });
      record.removed.push(journal.runId);
    } catch (error) {
      record.error = `${journal.runId}: ${(error as Error).message}`;
    }
  }
  return record;
}
