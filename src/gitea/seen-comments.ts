/**
 * Comment ids already acted on, so a redelivery (Gitea's "Test delivery"/"Redeliver" buttons, or a
 * proxy repeating a request) never starts a second run. Bounded: the oldest ids are forgotten first.
 */
export class SeenComments {
  private readonly ids = new Set<string>();

  constructor(private readonly limit = 10_000) {}

  /** True the first time a comment is seen, false for every repeat. */
  firstTime(repo: string, commentId: number): boolean {
    const key = `${repo.toLowerCase()}#${commentId}`;
    if (this.ids.has(key)) return false;
    this.ids.add(key);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}
