import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { finishedStates, type Mode } from "../../engine/run.js";

/** One finished run on the duration plot. */
export interface DurationPoint {
  runId: string;
  recipe: string;
  mode: Mode;
  state: string;
  /** When the run finished (ISO time): the plot's x. */
  finishedAt: string;
  durationMs: number;
}

const runEntrySchema = z.object({
  type: z.literal("run"),
  at: z.iso.datetime({ offset: true }),
  runId: z.string(),
  recipe: z.string(),
  mode: z.enum(["cold", "quick"]),
});
const stateEntrySchema = z.object({
  type: z.literal("state"),
  at: z.iso.datetime({ offset: true }),
  state: z.enum(finishedStates as [string, ...string[]]),
});

/**
 * A finished run from its journal: from the `run` entry (written once the recipe is fetched) to the
 * final `state` entry. Null for a run still going, or a journal without a header (refused before fetch).
 */
export function durationFromJournal(text: string): DurationPoint | null {
  let header: z.infer<typeof runEntrySchema> | undefined;
  let final: z.infer<typeof stateEntrySchema> | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue; // a line torn by a crash mid-write
    }
    // Most lines are resources: look at the type before paying for a schema check.
    const type = (json as { type?: unknown } | null)?.type;
    if (type === "run" && !header) {
      const run = runEntrySchema.safeParse(json);
      if (run.success) header = run.data;
    } else if (type === "state") {
      const state = stateEntrySchema.safeParse(json);
      if (state.success) final = state.data;
    }
  }
  if (!header || !final) return null;
  const durationMs = Date.parse(final.at) - Date.parse(header.at);
  const { runId, recipe, mode } = header;
  return {
    runId,
    recipe,
    mode,
    state: final.state,
    finishedAt: final.at,
    durationMs: Math.max(0, durationMs),
  };
}

export interface DurationHistoryOptions {
  stateDir: string;
  /** How long one scan of the journal directory is reused; default 15 s. */
  ttlMs?: number;
  /** Most points returned (the newest); default 500. */
  limit?: number;
  now?: () => number;
}

interface CachedFile {
  mtimeMs: number;
  size: number;
  point: DurationPoint | null;
}

/**
 * Run durations over time from `<state>/journal/*.jsonl`. A scan is reused for `ttlMs`; after that a
 * view still gets the last scan at once while a fresh one runs in the background (one at a time), so
 * only the very first view waits. A file is re-read only when its size or mtime changed (a finished
 * journal never changes again): a rescan of months of journals is one readdir and one stat each.
 */
export class DurationHistory {
  private readonly files = new Map<string, CachedFile>();
  private last: { at: number; points: DurationPoint[] } | undefined;
  private scanning: Promise<DurationPoint[]> | undefined;

  constructor(private readonly options: DurationHistoryOptions) {}

  async points(): Promise<DurationPoint[]> {
    if (!this.last) return this.rescan();
    const now = (this.options.now ?? Date.now)();
    if (now - this.last.at >= (this.options.ttlMs ?? 15_000)) this.rescan().catch(() => undefined);
    return this.last.points;
  }

  /** Starts a scan unless one is running; resolves with its points. */
  rescan(): Promise<DurationPoint[]> {
    this.scanning ??= this.read()
      .then((points) => {
        this.last = { at: (this.options.now ?? Date.now)(), points };
        return points;
      })
      .finally(() => {
        this.scanning = undefined;
      });
    return this.scanning;
  }

  private async read(): Promise<DurationPoint[]> {
    const dir = join(this.options.stateDir, "journal");
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".jsonl"));
    const seen = new Set(names);
    for (const name of this.files.keys()) if (!seen.has(name)) this.files.delete(name);
    const points: Array<DurationPoint | null> = [];
    // In batches: thousands of journals must not open thousands of files at once (EMFILE).
    for (let i = 0; i < names.length; i += 64) {
      const batch = names.slice(i, i + 64);
      points.push(...(await Promise.all(batch.map((name) => this.readFile(join(dir, name), name)))));
    }
    return points
      .filter((p): p is DurationPoint => p !== null)
      .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt))
      .slice(-(this.options.limit ?? 500));
  }

  private async readFile(path: string, name: string): Promise<DurationPoint | null> {
    const info = await stat(path).catch(() => null);
    if (!info) return null;
    const known = this.files.get(name);
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known.point;
    const point = durationFromJournal(await readFile(path, "utf8").catch(() => ""));
    this.files.set(name, { mtimeMs: info.mtimeMs, size: info.size, point });
    return point;
  }
}
