import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Resource } from "../deploy/deployer.js";
import { RunJournal } from "../engine/journal.js";
import { finishedStates, type RunState } from "../engine/run.js";

/** What the ops jobs need from one run's journal. */
export interface JournalSummary {
  runId: string;
  path: string;
  /** True once the journal records a final state: nothing of the run may be left after that. */
  finished: boolean;
  /** Stacks the run deployed (from its `run` entry and `stack` resources). */
  stacks: string[];
  /** Every other resource it recorded before creating it. */
  resources: Resource[];
}

/** Run ids become path segments: `20261127T101500-a1b2c3`, nothing that could climb out of a dir. */
export const runIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
/** Stack names become docker arguments: abra's domain-with-underscores shape, never an option. */
export const stackNamePattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export async function summarizeJournal(runId: string, path: string): Promise<JournalSummary> {
  const entries = await new RunJournal(path).entries();
  const stacks = new Set<string>();
  const resources: Resource[] = [];
  let finished = false;
  for (const entry of entries) {
    if (entry.type === "run" && entry.stack) stacks.add(entry.stack);
    if (entry.type === "resource" && entry.resource.kind === "stack") stacks.add(entry.resource.name);
    else if (entry.type === "resource") resources.push(entry.resource);
    if (entry.type === "state" && finishedStates.includes(entry.state as RunState)) finished = true;
  }
  const valid = [...stacks].filter((stack) => stackNamePattern.test(stack)).sort();
  return { runId, path, finished, stacks: valid, resources };
}

/** Every journal under `<state>/journal/`, finished or not; an absent directory is no journals. */
export async function readJournals(stateDir: string): Promise<JournalSummary[]> {
  const dir = join(stateDir, "journal");
  const files = await readdir(dir).catch(() => [] as string[]);
  const summaries: JournalSummary[] = [];
  for (const file of files.sort()) {
    const runId = file.replace(/\.jsonl$/, "");
    if (runId === file || !runIdPattern.test(runId)) continue;
    summaries.push(await summarizeJournal(runId, join(dir, file)));
  }
  return summaries;
}
