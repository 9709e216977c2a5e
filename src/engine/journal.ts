import { mkdirSync } from "node:fs";
import { open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Resource } from "../deploy/deployer.js";

export type JournalEntry =
  | {
      at: string;
      type: "run";
      runId: string;
      recipe: string;
      mode: string;
      stack?: string;
      origin?: Record<string, unknown>;
    }
  | { at: string; type: "origin"; origin: Record<string, unknown> }
  | { at: string; type: "promotion"; recipe: string; stack: string; commit: string }
  | { at: string; type: "promotion-done"; recipe: string }
  | { at: string; type: "resource"; resource: Resource }
  | { at: string; type: "state"; state: string };

/** An entry as the caller gives it; the journal stamps the time. */
export type JournalInput = JournalEntry extends infer E
  ? E extends { at: string }
    ? Omit<E, "at">
    : never
  : never;

/**
 * An append-only, fsync'd log per run: every external resource is written here before it is created,
 * so teardown and crash recovery can find it even if the process dies mid-deploy. One small file per run
 * keeps writes independent (no cross-run locking) and makes a run's history readable with `cat`.
 */
export class RunJournal {
  constructor(readonly path: string) {}

  static open(stateDir: string, runId: string): RunJournal {
    const dir = join(stateDir, "journal");
    mkdirSync(dir, { recursive: true });
    return new RunJournal(join(dir, `${runId}.jsonl`));
  }

  async append(entry: JournalInput): Promise<void> {
    const line = `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`;
    const handle = await open(this.path, "a", 0o600);
    try {
      await handle.write(line);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async entries(): Promise<JournalEntry[]> {
    const text = await readFile(this.path, "utf8").catch(() => "");
    return text
      .split("\n")
      .filter((line) => line.trim().length > 0)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as JournalEntry];
        } catch {
          return []; // a line torn by a crash mid-write: everything before it is intact
        }
      });
  }
}

/** Journals of runs that never recorded a final state: what recovery must tear down. */
export async function unfinishedJournals(stateDir: string): Promise<RunJournal[]> {
  const dir = join(stateDir, "journal");
  const files = await readdir(dir).catch(() => [] as string[]);
  const open: RunJournal[] = [];
  for (const file of files.filter((f) => f.endsWith(".jsonl"))) {
    const journal = new RunJournal(join(dir, file));
    const entries = await journal.entries();
    if (
      !entries.some(
        (e) => e.type === "state" && ["passed", "failed", "cancelled", "errored"].includes(e.state),
      )
    ) {
      open.push(journal);
    }
  }
  return open;
}
