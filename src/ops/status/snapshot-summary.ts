import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { validateRecipeName } from "../../recipe/naming.js";
import { SnapshotLayout } from "../../warm/snapshot-layout.js";

/** What the status page shows of a canonical's last-known-good snapshot. */
export interface SnapshotSummary {
  id: string;
  createdAt: string;
  /** Bytes and files of every volume, as recorded in the manifest at snapshot time. */
  bytes: number;
  files: number;
  volumes: number;
}

// Only the totals: the per-entry stat index (thousands of entries) is neither validated nor kept.
const manifestTotalsSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  volumes: z.array(
    z.object({ bytes: z.number().int().nonnegative(), files: z.number().int().nonnegative() }),
  ),
});

/**
 * Reads a snapshot's size and age from its manifest, never from the data. A generation is immutable,
 * so its summary is cached by id: a page view costs one readlink per canonical.
 */
export class SnapshotSummaryReader {
  private readonly byId = new Map<string, SnapshotSummary>();

  constructor(private readonly stateDir: string) {}

  /** The current snapshot of a recipe, null when it has none. Throws on a damaged manifest. */
  async current(recipe: string): Promise<SnapshotSummary | null> {
    const layout = new SnapshotLayout(join(this.stateDir, "snapshots", validateRecipeName(recipe)));
    const id = await layout.readCurrent();
    if (id === null) return null;
    const key = `${recipe}/${id}`;
    const known = this.byId.get(key);
    if (known) return known;
    const summary = summarise(await readTotals(layout.manifest(id)));
    this.byId.set(key, summary);
    return summary;
  }
}

async function readTotals(path: string): Promise<z.infer<typeof manifestTotalsSchema>> {
  const parsed = manifestTotalsSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
  if (!parsed.success)
    throw new Error(`snapshot manifest ${path} is malformed: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function summarise(totals: z.infer<typeof manifestTotalsSchema>): SnapshotSummary {
  return {
    id: totals.id,
    createdAt: totals.createdAt,
    bytes: totals.volumes.reduce((sum, v) => sum + v.bytes, 0),
    files: totals.volumes.reduce((sum, v) => sum + v.files, 0),
    volumes: totals.volumes.length,
  };
}
