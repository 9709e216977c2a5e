import { BoundedMap } from "./bounded-map.js";

/**
 * Commenters found without write permission, remembered for a minute: a flood of `!testme` from users
 * who may not start runs then costs no API call per comment. Only refusals are cached, so a granted
 * permission is never stale in the dangerous direction; a new collaborator waits at most `ttlMs`.
 */
export class DeniedCache {
  private readonly denied: BoundedMap<string, number>;

  constructor(
    private readonly ttlMs = 60_000,
    bound = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.denied = new BoundedMap(bound);
  }

  private key(repo: string, user: string): string {
    return `${repo.toLowerCase()}\u0000${user.toLowerCase()}`;
  }

  isDenied(repo: string, user: string): boolean {
    const at = this.denied.get(this.key(repo, user));
    return at !== undefined && this.now() - at < this.ttlMs;
  }

  remember(repo: string, user: string): void {
    this.denied.set(this.key(repo, user), this.now());
  }
}
