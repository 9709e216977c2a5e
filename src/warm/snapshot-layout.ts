import { randomBytes } from "node:crypto";
import { readlink, rename, symlink, unlink } from "node:fs/promises";
import { join } from "node:path";
import { fsyncDir } from "./atomic-file.js";

/**
 * Where a recipe's snapshots live, under `<state dir>/snapshots/<recipe>/`:
 *
 *   current -> generations/<id>     the last-known-good; switching this symlink is the commit point
 *   generations/<id>/manifest.json  per-volume digests and stat index (written last)
 *   generations/<id>/volumes/<vol>/ raw, immutable copy of the volume: the overlay's lowerdir
 *   layers/<layer>/<vol>/upper|work the scratch layer the app writes into; restore = a fresh, empty one
 *   restore-intent.json             present while a restore is switching volumes (crash recovery)
 *   trash/                          garbage being removed (old generations and layers)
 *
 * A generation that `current` does not point at and no volume uses is a leftover (a crashed snapshot or
 * a replaced one) and is discarded on the next open.
 */
export class SnapshotLayout {
  constructor(readonly root: string) {}

  get current(): string {
    return join(this.root, "current");
  }
  get generations(): string {
    return join(this.root, "generations");
  }
  get layers(): string {
    return join(this.root, "layers");
  }
  get trash(): string {
    return join(this.root, "trash");
  }
  get restoreIntent(): string {
    return join(this.root, "restore-intent.json");
  }
  generation(id: string): string {
    return join(this.generations, id);
  }
  manifest(id: string): string {
    return join(this.generation(id), "manifest.json");
  }
  volumeData(id: string, volume: string): string {
    return join(this.generation(id), "volumes", volume);
  }
  upper(layer: string, volume: string): string {
    return join(this.layers, layer, volume, "upper");
  }
  work(layer: string, volume: string): string {
    return join(this.layers, layer, volume, "work");
  }

  /** The generation id `current` points at, or null before the first snapshot. */
  async readCurrent(): Promise<string | null> {
    try {
      const target = await readlink(this.current);
      return target.replace(/^generations\//, "");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  /** Atomically points `current` at a generation: a new symlink renamed over the old, then fsync. */
  async switchCurrent(id: string): Promise<void> {
    const temp = join(this.root, `.current.tmp-${randomBytes(4).toString("hex")}`);
    await symlink(`generations/${id}`, temp);
    try {
      await rename(temp, this.current);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await fsyncDir(this.root);
  }

  /** Which generation and layer a path made by this layout belongs to (for garbage collection). */
  ownerOf(path: string): { generation?: string; layer?: string } {
    const gen = path.startsWith(`${this.generations}/`)
      ? path.slice(this.generations.length + 1).split("/")[0]
      : undefined;
    const layer = path.startsWith(`${this.layers}/`)
      ? path.slice(this.layers.length + 1).split("/")[0]
      : undefined;
    return { generation: gen, layer };
  }
}

/** Sortable, unique ids: `20261127T093407123Z-a1b2c3`. */
export function newSnapshotId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, "")}-${randomBytes(3).toString("hex")}`;
}
