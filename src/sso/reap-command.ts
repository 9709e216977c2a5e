import { loadSettings } from "../config.js";
import type { Logger } from "../log.js";
import { type ReapReport, reapRealms } from "./reaper.js";
import { warmKeycloakSettings } from "./settings.js";
import { connectWarmKeycloak } from "./warm-keycloak.js";

export interface ReapRequest {
  dryRun: boolean;
  /**
   * Which runs are still going: the engine's view in the bot; from the CLI, runs the journal does not
   * show finished. Without either, pass `() => true`: only the TTL then reaps, so a realm of a run the
   * bot is still doing is never taken from under it.
   */
  isLive: (runId: string) => boolean;
}

/**
 * What `ccci reap`, the start-up sweep and the periodic job call. Null when no warm Keycloak is
 * configured (a cold fallback Keycloak goes away with its run's stack; there is nothing to reap).
 */
export async function reapWarmKeycloak(
  env: NodeJS.ProcessEnv,
  request: ReapRequest,
  log: Logger,
): Promise<ReapReport | null> {
  const settings = loadSettings(env);
  const warm = await warmKeycloakSettings(settings);
  if (!warm) return null;
  const { realms } = connectWarmKeycloak(warm, log);
  return reapRealms(realms, { ...request, ttlSeconds: settings.CCCI_REALM_TTL }, log);
}

/** One line per decision, for the CLI's output. */
export function renderReapReport(report: ReapReport, dryRun: boolean): string {
  if (report.decisions.length === 0) return "no realms of this instance";
  const failed = new Map(report.failed.map((f) => [f.realm, f.error]));
  return report.decisions
    .map((d) => {
      const verb =
        d.action === "keep" ? "keep" : dryRun ? "would delete" : failed.has(d.realm) ? "FAILED" : "deleted";
      const error = failed.get(d.realm);
      return `${verb.padEnd(12)} ${d.realm}  (${d.reason}${error ? `: ${error}` : ""})`;
    })
    .join("\n");
}
