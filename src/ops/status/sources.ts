import { describeError } from "../../errors.js";
import type { CanonicalRegistry } from "../../warm/registry.js";
import type { DiskGuard } from "../disk-guard.js";
import { readLastSweep } from "../sweep-store.js";
import { DurationHistory } from "./duration-history.js";
import { SnapshotSummaryReader } from "./snapshot-summary.js";
import type { CanonicalRow, StatusSources } from "./status-model.js";

export interface StatusSourceDeps {
  stateDir: string;
  /** The engine's canonical registry (`engine.warm.registry`). */
  registry: Pick<CanonicalRegistry, "list">;
  /** The engine's disk guard (`engine.disk`): only `measure()` is used, which never prunes. */
  disk: Pick<DiskGuard, "measure">;
  /** How long one journal scan is reused (default 15 s). */
  journalTtlMs?: number;
}

/** The real sources of the status page: registry + snapshot manifests, disk, last sweep, journals. */
export function createStatusSources(deps: StatusSourceDeps): StatusSources {
  const snapshots = new SnapshotSummaryReader(deps.stateDir);
  const history = new DurationHistory({
    stateDir: deps.stateDir,
    ...(deps.journalTtlMs !== undefined ? { ttlMs: deps.journalTtlMs } : {}),
  });
  // Read the journals now, so the first page view after start-up does not wait for months of them.
  history.rescan().catch(() => undefined);
  return {
    canonicals: async () => {
      const canonicals = await deps.registry.list();
      return Promise.all(
        canonicals.map(async ({ recipe, domain, knownGood, seededAt, promotedAt }): Promise<CanonicalRow> => {
          const row = { recipe, domain, knownGood, seededAt, promotedAt };
          try {
            return { ...row, snapshot: await snapshots.current(recipe) };
          } catch (error) {
            return { ...row, snapshot: null, snapshotError: describeError(error) };
          }
        }),
      );
    },
    disk: () => deps.disk.measure(),
    lastSweep: () => readLastSweep(deps.stateDir),
    durations: () => history.points(),
  };
}
