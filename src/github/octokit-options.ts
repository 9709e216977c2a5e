import { ProbotOctokit } from "probot";
import type { Logger } from "../log.js";

export interface OctokitBounds {
  /** Milliseconds one request may take (answer and body) before it is aborted. */
  timeoutMs: number;
  /** Retries of one request after a rate limit (primary or secondary). */
  rateLimitRetries: number;
  /** Longest wait for a rate limit to lift that is worth a retry here; longer ones fail now. */
  maxRetryAfterSeconds?: number;
}

/** `fetch` that aborts a request (including its body) after `timeoutMs`: a hung GitHub must not hang ccci. */
export function fetchWithTimeout(timeoutMs: number, base: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return base(input, { ...init, signal });
  };
}

type RateLimitHandler = (
  retryAfter: number,
  options: { method: string; url: string },
  octokit: unknown,
  retryCount: number,
) => boolean;

/**
 * Probot's throttling plugin retries rate-limited requests for ever by default (both handlers return
 * true). Here a request is retried at most `rateLimitRetries` times and only for a short wait; after
 * that it fails, and the caller's own retry (reports) or the user (commands) tries again later.
 */
function boundedRateLimit(bounds: OctokitBounds, log: Logger, kind: string): RateLimitHandler {
  const maxWait = bounds.maxRetryAfterSeconds ?? 60;
  return (retryAfter, options, _octokit, retryCount) => {
    const retry = retryCount < bounds.rateLimitRetries && retryAfter <= maxWait;
    log.warn(
      { method: options.method, url: options.url, retryAfter, retryCount, retry },
      retry
        ? `${kind} rate limit: retrying in ${retryAfter} s`
        : `${kind} rate limit: giving up on this request`,
    );
    return retry;
  };
}

/**
 * The Octokit class for Probot with ccci's bounds. The function form of `defaults`, so Probot's own
 * throttle options (merged later) do not replace these handlers.
 */
export function boundedProbotOctokit(bounds: OctokitBounds, log: Logger): typeof ProbotOctokit {
  return ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    request: { ...(options.request as object), fetch: fetchWithTimeout(bounds.timeoutMs) },
    throttle: {
      ...(options.throttle as object),
      onRateLimit: boundedRateLimit(bounds, log, "primary"),
      onSecondaryRateLimit: boundedRateLimit(bounds, log, "secondary"),
    },
  }));
}
