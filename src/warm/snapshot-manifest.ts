import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CcciError } from "../errors.js";
import { writeFileAtomic } from "./atomic-file.js";

const entrySchema = z.object({
  path: z.string(),
  type: z.enum(["f", "d", "l", "c", "b", "p", "s"]),
  mode: z.number().int(),
  uid: z.number().int(),
  gid: z.number().int(),
  mtimeNs: z.string(),
  size: z.number().int(),
  extra: z.string(),
  ino: z.string(),
  ctimeNs: z.string(),
});

export const volumeRecordSchema = z.object({
  /** The compose volume key: the Docker volume is `<stack>_<name>`. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/),
  dockerName: z.string(),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.number().int(),
  bytes: z.number().int(),
  entries: z.array(entrySchema),
});

export const manifestSchema = z.object({
  format: z.literal(1),
  id: z.string(),
  recipe: z.string(),
  stack: z.string(),
  createdAt: z.string(),
  /** What the snapshot holds (e.g. the promoted commit), so a registry can be reconciled from it. */
  meta: z.record(z.string(), z.string()),
  volumes: z.array(volumeRecordSchema),
});

export type SnapshotManifest = z.infer<typeof manifestSchema>;
export type VolumeRecord = z.infer<typeof volumeRecordSchema>;

export async function writeManifest(path: string, manifest: SnapshotManifest): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(manifest), 0o444);
}

export async function readManifest(path: string): Promise<SnapshotManifest> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CcciError(
      "SNAPSHOT_CORRUPT",
      `snapshot manifest ${path} cannot be read: ${(error as Error).message}`,
    );
  }
  try {
    return manifestSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new CcciError(
      "SNAPSHOT_CORRUPT",
      `snapshot manifest ${path} is damaged: ${(error as Error).message}`,
    );
  }
}
