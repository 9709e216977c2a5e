import { setTimeout as sleep } from "node:timers/promises";
import { describeError } from "../errors.js";
import type { Logger } from "../log.js";

export interface RetryPolicy {
  /** Attempts in all (the first one included). */
  attempts: number;
  /** Wait before the first retry; doubled on each next one, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs?: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 8, firstDelayMs: 2_000, maxDelayMs: 300_000 };

export function retryDelay(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.firstDelayMs * 2 ** (retry - 1), policy.maxDelayMs ?? 300_000);
}

/**
 * Runs `work` until it succeeds, waiting longer after each failure, at most `policy.attempts` times.
 * Resolves true once delivered; false after the last attempt (logged as an error, loudly) or when
 * `stop` aborts a wait (shutdown). Never rejects.
 */
export async function withRetries(
  what: string,
  work: () => Promise<void>,
  policy: RetryPolicy,
  log: Logger,
  stop?: AbortSignal,
): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await work();
      if (attempt > 1) log.info({ what, attempt }, `${what}: delivered after ${attempt} attempts`);
      return true;
    } catch (error) {
      if (attempt >= policy.attempts) {
        log.error(
          { err: error, what, attempts: attempt },
          `${what}: NOT DELIVERED after ${attempt} attempts (${describeError(error)}); tried again at the next start`,
        );
        return false;
      }
      const delay = retryDelay(policy, attempt);
      log.warn({ what, attempt, retryInMs: delay, error: describeError(error) }, `${what} failed; retrying`);
      try {
        await sleep(delay, undefined, { signal: stop, ref: false });
      } catch {
        log.warn({ what, attempt }, `${what}: not retried, ccci is stopping; tried again at the next start`);
        return false;
      }
    }
  }
}
