import { mkdirSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { Run } from "../engine/run.js";
import type { Logger } from "../log.js";
import { writeFileAtomic } from "../warm/atomic-file.js";
import { type PullRequestOrigin, pullRequestOriginSchema } from "./origin.js";

/** What the reporter keeps on disk about a run until GitHub shows its final result. */
export interface OutboxRecord {
  runId: string;
  mode: Run["mode"];
  origin: PullRequestOrigin;
  /** The finished run, once it is finished: a restart renders it instead of "interrupted". */
  final?: Run;
}

const recordSchema = z.object({
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
  mode: z.enum(["cold", "quick"]),
  origin: pullRequestOriginSchema,
  final: z.looseObject({ id: z.string(), state: z.string() }).optional(),
});

/**
 * The reporter's own record of every run it has started to show on GitHub and not finished showing:
 * written before the first write to GitHub, updated with the check run id and the final run, deleted
 * once the final report is delivered. A restart completes whatever is left here — a final result not
 * delivered, or a run a crash interrupted in any phase (queued, fetching, deploying) — so no check run
 * stays queued or in progress and no commit status stays pending.
 */
export class ReportOutbox {
  constructor(private readonly dir: string | undefined) {
    if (dir) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  async save(record: OutboxRecord): Promise<void> {
    if (!this.dir) return;
    await writeFileAtomic(this.path(record.runId), JSON.stringify(record), 0o600);
  }

  async remove(runId: string): Promise<void> {
    if (!this.dir) return;
    await rm(this.path(runId), { force: true });
  }

  /** Every record left by earlier processes; unreadable ones are logged and skipped. */
  async pending(log: Logger): Promise<OutboxRecord[]> {
    if (!this.dir) return [];
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
    const records: OutboxRecord[] = [];
    for (const name of names) {
      try {
        const parsed = recordSchema.parse(JSON.parse(await readFile(join(this.dir, name), "utf8")));
        records.push(parsed as OutboxRecord);
      } catch (error) {
        log.error({ err: error, file: name }, "unreadable report record left by an earlier process; skipped");
      }
    }
    return records;
  }

  private path(runId: string): string {
    return join(this.dir as string, `${runId}.json`);
  }
}
