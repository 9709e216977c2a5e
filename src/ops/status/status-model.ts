import type { EngineApi } from "../../engine/api.js";
import { isFinished, type Run } from "../../engine/run.js";
import { describeError } from "../../errors.js";
import type { DiskReport } from "../disk-guard.js";
import type { SweepReport } from "../sweep-report.js";
import type { DurationPoint } from "./duration-history.js";
import { scrubDeep, scrubSecrets } from "./scrub.js";
import type { SnapshotSummary } from "./snapshot-summary.js";

const RECENT_LIMIT = 50;

export interface RunRow {
  id: string;
  repo: string;
  recipe: string;
  mode: Run["mode"];
  sha: string | null;
  state: Run["state"];
  /** The swarm stack of the run's app, once it has a domain. */
  stack?: string;
  queuePosition?: number;
  durationMs?: number;
  queuedAt: string;
  startedAt?: string;
  /** Why it failed, errored or was cancelled (scrubbed of credentials). */
  reason?: string;
}

export interface CanonicalRow {
  recipe: string;
  domain: string;
  knownGood: { commit: string; version: string | null; ref: string };
  seededAt: string;
  promotedAt: string;
  /** The last-known-good snapshot, from its manifest; null when the store has none. */
  snapshot: SnapshotSummary | null;
  /** Why the snapshot could not be read (a damaged manifest), instead of `snapshot`. */
  snapshotError?: string;
}

/** Where the page's sections come from besides the engine's runs; each may fail on its own. */
export interface StatusSources {
  canonicals(): Promise<CanonicalRow[]>;
  disk(): Promise<DiskReport>;
  lastSweep(): Promise<SweepReport | null>;
  /** Finished runs from the journals (a run of this process also appears in `engine.list()`). */
  durations(): Promise<DurationPoint[]>;
}

export type SectionName = "canonicals" | "disk" | "lastSweep" | "durations";

/** Everything on the page, as plain data: the JSON variant is exactly this. */
export interface StatusModel {
  generatedAt: string;
  queued: RunRow[];
  running: RunRow[];
  recent: RunRow[];
  canonicals: CanonicalRow[];
  disk: DiskReport | null;
  lastSweep: SweepReport | null;
  durations: DurationPoint[];
  /** Sections whose source failed, with the reason; the rest of the page still renders. */
  unavailable: Partial<Record<SectionName, string>>;
}

function rowOf(engine: EngineApi, run: Run): RunRow {
  return {
    id: run.id,
    repo: scrubSecrets(run.repo),
    recipe: run.recipe,
    mode: run.mode,
    sha: run.sha,
    state: run.state,
    queuedAt: run.queuedAt,
    ...(run.startedAt ? { startedAt: run.startedAt } : {}),
    ...(run.stack ? { stack: run.stack } : {}),
    ...(run.durationMs !== undefined ? { durationMs: run.durationMs } : {}),
    ...(run.reason ? { reason: scrubSecrets(run.reason) } : {}),
    ...(run.state === "queued" ? { queuePosition: engine.queuePosition(run.id) } : {}),
  };
}

/** Queued (in queue order), running and the most recent finished runs of this process. */
export function runsOf(
  engine: EngineApi,
  runs = engine.list(),
): Pick<StatusModel, "queued" | "running" | "recent"> {
  const rows = (keep: (run: Run) => boolean) => runs.filter(keep).map((run) => rowOf(engine, run));
  return {
    queued: rows((r) => r.state === "queued").sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0)),
    running: rows((r) => r.state === "running"),
    recent: rows(isFinished).slice(0, RECENT_LIMIT),
  };
}

/** Journal points, with this process's finished runs added or preferred (their timing is exact). */
export function mergeDurations(journal: DurationPoint[], runs: Run[]): DurationPoint[] {
  const byId = new Map(journal.map((point) => [point.runId, point]));
  for (const run of runs) {
    if (!isFinished(run) || run.durationMs === undefined || !run.finishedAt) continue;
    const { id: runId, recipe, mode, state, finishedAt, durationMs } = run;
    byId.set(runId, { runId, recipe, mode, state, finishedAt, durationMs });
  }
  return [...byId.values()].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

/** Gathers every section at once; a failing source becomes a line in `unavailable`, not an error page. */
export async function collectStatus(engine: EngineApi, sources?: StatusSources): Promise<StatusModel> {
  const unavailable: StatusModel["unavailable"] = {};
  const settle = async <T>(name: SectionName, read: (() => Promise<T>) | undefined, empty: T): Promise<T> => {
    if (!read) return empty;
    try {
      return await read();
    } catch (error) {
      unavailable[name] = scrubSecrets(describeError(error));
      return empty;
    }
  };
  const [canonicals, disk, lastSweep, journal] = await Promise.all([
    settle("canonicals", sources && (() => sources.canonicals()), []),
    settle<DiskReport | null>("disk", sources && (() => sources.disk()), null),
    settle<SweepReport | null>("lastSweep", sources && (() => sources.lastSweep()), null),
    settle("durations", sources && (() => sources.durations()), []),
  ]);
  const generatedAt = new Date().toISOString();
  const runs = engine.list();
  const durations = mergeDurations(journal, runs);
  return {
    ...{ generatedAt, ...runsOf(engine, runs), canonicals: scrubDeep(canonicals), disk: scrubDeep(disk) },
    ...{ lastSweep: scrubDeep(lastSweep), durations, unavailable },
  };
}
