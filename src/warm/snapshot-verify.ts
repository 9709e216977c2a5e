import { CcciError } from "../errors.js";
import type { SnapshotLayout } from "./snapshot-layout.js";
import type { SnapshotManifest, VolumeRecord } from "./snapshot-manifest.js";
import { firstDifference } from "./tree-compare.js";
import { digestTree, statTree } from "./tree-digest.js";

export type VerifyMode = "fast" | "deep";

/** Digests a volume's data in a generation: the manifest's record of it. */
export async function recordVolume(
  layout: SnapshotLayout,
  id: string,
  name: string,
  dockerName: string,
): Promise<VolumeRecord> {
  const tree = await digestTree(layout.volumeData(id, name));
  return {
    name,
    dockerName,
    digest: tree.digest,
    files: tree.files,
    bytes: tree.bytes,
    entries: tree.entries,
  };
}

/**
 * Checks a generation against its manifest (`fast`: stat index, no data read; `deep`: every byte
 * re-hashed); throws SNAPSHOT_CORRUPT naming the snapshot, volume, file and what differs.
 */
export async function verifyManifest(
  layout: SnapshotLayout,
  manifest: SnapshotManifest,
  mode: VerifyMode,
): Promise<void> {
  for (const volume of manifest.volumes) {
    const dir = layout.volumeData(manifest.id, volume.name);
    const actual = await (mode === "deep" ? digestTree(dir).then((t) => t.entries) : statTree(dir)).catch(
      (error: Error) => {
        throw new CcciError(
          "SNAPSHOT_CORRUPT",
          `snapshot ${manifest.id}: volume ${volume.name}: ${error.message}`,
        );
      },
    );
    const difference = firstDifference(volume.entries, actual, mode);
    if (difference) {
      throw new CcciError(
        "SNAPSHOT_CORRUPT",
        `snapshot ${manifest.id} of ${manifest.recipe} does not match its manifest: volume ${volume.name}: ${difference}`,
      );
    }
  }
}
