import { BoundedMap } from "./bounded-map.js";

export interface ReplyLimiterOptions {
  /** Least time between two refusals to the same user on the same pull request; default 10 minutes. */
  windowMs?: number;
  /** Most (user, pull request) pairs remembered; default 10,000. */
  bound?: number;
  now?: () => number;
}

/**
 * Refusal replies (no permission, permission unknown) at most once per user, pull request and window:
 * anyone may type `!testme`, and each refusal is a comment on the pull request and an API write.
 */
export class ReplyLimiter {
  private readonly last: BoundedMap<string, number>;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: ReplyLimiterOptions = {}) {
    this.last = new BoundedMap(options.bound ?? 10_000);
    this.windowMs = options.windowMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** True when a reply of this kind to this user on this pull request may be sent now (and counts it). */
  allow(kind: string, pullRequest: string, user: string): boolean {
    const key = `${kind}\u0000${pullRequest.toLowerCase()}\u0000${user.toLowerCase()}`;
    const now = this.now();
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < this.windowMs) return false;
    this.last.set(key, now);
    return true;
  }
}
