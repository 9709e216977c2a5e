import { describeError } from "../errors.js";
import type { Logger } from "../log.js";
import type { OwnedRealm, RealmManager } from "./realm-manager.js";

export interface ReapOptions {
  /** List what would be deleted, delete nothing. */
  dryRun: boolean;
  /** A realm older than this is deleted even if its run still looks live. */
  ttlSeconds: number;
  /** Whether a run is still in progress (the engine's view); its realm is then kept. */
  isLive: (runId: string) => boolean;
  now?: Date;
}

export interface ReapDecision {
  realm: string;
  runId: string;
  ageSeconds: number;
  action: "delete" | "keep";
  reason: string;
}

export interface ReapReport {
  decisions: ReapDecision[];
  deleted: string[];
  failed: { realm: string; error: string }[];
}

/** Pure: why one of this instance's realms stays or goes. A realm with an unreadable date counts as old. */
export function decideRealm(owned: OwnedRealm, options: ReapOptions, now: Date): ReapDecision {
  const created = Date.parse(owned.tags.createdAt);
  const ageSeconds = Number.isNaN(created)
    ? Number.POSITIVE_INFINITY
    : Math.floor((now.getTime() - created) / 1000);
  const base = { realm: owned.realm, runId: owned.tags.runId, ageSeconds };
  if (ageSeconds > options.ttlSeconds) {
    return { ...base, action: "delete", reason: `older than the TTL of ${options.ttlSeconds}s` };
  }
  if (!options.isLive(owned.tags.runId)) {
    return { ...base, action: "delete", reason: `run ${owned.tags.runId} is not live` };
  }
  return { ...base, action: "keep", reason: `run ${owned.tags.runId} is live` };
}

/**
 * Removes this instance's realms whose run is over or that outlived the TTL. Only realms listed by
 * `listOwned` (owner tag = this instance, never `master`) are considered, and `delete` checks the tag
 * again, so a foreign realm cannot be reaped even if it appears between the two calls.
 */
export async function reapRealms(
  realms: RealmManager,
  options: ReapOptions,
  log: Logger,
): Promise<ReapReport> {
  const now = options.now ?? new Date();
  const decisions = (await realms.listOwned()).map((owned) => decideRealm(owned, options, now));
  const report: ReapReport = { decisions, deleted: [], failed: [] };
  for (const decision of decisions) {
    if (decision.action === "keep") continue;
    if (options.dryRun) {
      log.info({ realm: decision.realm, reason: decision.reason }, "reaper (dry run) would delete realm");
      continue;
    }
    try {
      const outcome = await realms.delete(decision.realm);
      if (outcome !== "not-ours") report.deleted.push(decision.realm);
      log.info({ realm: decision.realm, reason: decision.reason, outcome }, "reaper deleted realm");
    } catch (error) {
      report.failed.push({ realm: decision.realm, error: describeError(error) });
      log.warn({ realm: decision.realm, err: error }, "reaper could not delete realm");
    }
  }
  return report;
}
