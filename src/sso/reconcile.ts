import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../log.js";
import { isKeycloakHealthy } from "./warm-keycloak.js";

export interface ReconcileTarget {
  /** Keycloak's base URL (its OpenID discovery document is the health signal). */
  url: string;
  /** Brings Keycloak up: deploys the Co-op Cloud `keycloak` app, or starts the local dev instance. */
  deploy: (signal: AbortSignal) => Promise<void>;
}

export interface ReconcileOptions {
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Health probe; injectable so the decision logic can be tested without a Keycloak. */
  isHealthy?: (url: string) => Promise<boolean>;
}

export interface ReconcileReport {
  url: string;
  action: "none" | "deployed";
  healthy: boolean;
  waitedMs: number;
  message: string;
}

/**
 * `ccci warm-keycloak reconcile`: converge the warm Keycloak to deployed and healthy. Healthy already →
 * nothing to do; otherwise deploy, then wait for health until the timeout. Safe to run from a timer:
 * a healthy Keycloak is never redeployed.
 */
export async function reconcileWarmKeycloak(
  target: ReconcileTarget,
  options: ReconcileOptions,
  log: Logger,
): Promise<ReconcileReport> {
  const isHealthy = options.isHealthy ?? ((url: string) => isKeycloakHealthy(url));
  const signal = options.signal ?? new AbortController().signal;
  const started = Date.now();
  if (await isHealthy(target.url)) {
    return report(target.url, "none", true, started, `Keycloak at ${target.url} is healthy; nothing to do`);
  }
  log.info({ url: target.url }, "warm Keycloak not healthy; deploying it");
  await target.deploy(signal);
  while (!signal.aborted && Date.now() - started < options.timeoutMs) {
    if (await isHealthy(target.url)) {
      return report(target.url, "deployed", true, started, `deployed Keycloak at ${target.url}; healthy`);
    }
    await sleep(options.pollMs ?? 2_000, undefined, { signal }).catch(() => undefined);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  return report(
    target.url,
    "deployed",
    false,
    started,
    `deployed Keycloak at ${target.url}; not healthy after ${seconds}s`,
  );
}

function report(
  url: string,
  action: ReconcileReport["action"],
  healthy: boolean,
  started: number,
  message: string,
): ReconcileReport {
  return { url, action, healthy, waitedMs: Date.now() - started, message };
}
