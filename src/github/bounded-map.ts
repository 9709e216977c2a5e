/**
 * A Map that forgets its oldest entries beyond `bound` (insertion order; `touch` moves an entry to the
 * newest end). The bot runs for months: every per-user or per-delivery memory is one of these.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly bound: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.bound) this.entries.delete(this.entries.keys().next().value as K);
  }

  keys(): IterableIterator<K> {
    return this.entries.keys();
  }
}
