import { appendFile, readFile } from "node:fs/promises";
import type { Logger } from "../log.js";
import { writeFileAtomic } from "../warm/atomic-file.js";
import { BoundedMap } from "./bounded-map.js";

const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;

/**
 * The `X-GitHub-Delivery` ids already handled, so a redelivery (GitHub's button, a retry after a lost
 * answer, a replay) starts nothing twice. The newest `bound` ids are kept in memory and appended to a
 * file that a restart reads back; the file is rewritten with only the kept ids once it holds twice as
 * many, so neither grows without bound.
 */
export class DeliveryLog {
  private readonly seen: BoundedMap<string, true>;
  private appended = 0;
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string | undefined,
    bound: number,
    private readonly log?: Logger,
  ) {
    this.seen = new BoundedMap(bound);
  }

  /** In memory only (tests, or a bot without a state dir). */
  static inMemory(bound = 10_000): DeliveryLog {
    return new DeliveryLog(undefined, bound);
  }

  static async open(path: string, log: Logger, bound = 10_000): Promise<DeliveryLog> {
    const deliveries = new DeliveryLog(path, bound, log);
    const text = await readFile(path, "utf8").catch(() => "");
    for (const id of text.split("\n")) if (DELIVERY_ID.test(id)) deliveries.seen.set(id, true);
    return deliveries;
  }

  /** True the first time an id is seen (the delivery should be handled), false for a repeat. */
  claim(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.set(id, true);
    if (this.path && DELIVERY_ID.test(id)) this.persist(id);
    return true;
  }

  /** Resolves once every claimed id is on disk. */
  flushed(): Promise<void> {
    return this.writes;
  }

  private persist(id: string): void {
    const path = this.path as string;
    this.appended += 1;
    const compact = this.appended >= this.seen.bound;
    if (compact) this.appended = 0;
    this.writes = this.writes
      .then(() =>
        compact
          ? writeFileAtomic(path, `${[...this.seen.keys()].join("\n")}\n`, 0o600)
          : appendFile(path, `${id}\n`),
      )
      .catch((error: unknown) => this.log?.warn({ err: error, path }, "could not record a delivery id"));
  }
}
