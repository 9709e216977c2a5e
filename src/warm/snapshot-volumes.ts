import { mkdir, readdir } from "node:fs/promises";
import { STACK_NAMESPACE_LABEL } from "../deploy/stack-label.js";
import { copyRootAttributes } from "./copy-tree.js";
import {
  bindDirOf,
  createOverlayVolume,
  inspectVolume,
  overlayDirsOf,
  removeVolume,
  type VolumeInfo,
} from "./docker-volumes.js";
import { newSnapshotId, type SnapshotLayout } from "./snapshot-layout.js";
import type { SnapshotManifest, VolumeRecord } from "./snapshot-manifest.js";
import { statTree } from "./tree-digest.js";

export type VolumeState = "pristine" | "modified" | "detached" | "missing" | "extra";

/** What switching a stack's volumes needs: Docker, the stack, the store's layout, the progress hook. */
export interface VolumeContext {
  docker: string;
  stack: string;
  layout: SnapshotLayout;
  step(name: string): Promise<void>;
}

/**
 * Recreates each volume of the manifest as an overlay over the snapshot with a fresh scratch layer and
 * removes the stack's volumes the snapshot lacks. Volumes are independent: switching them one after
 * another would only add Docker round trips.
 */
export async function attachVolumes(
  ctx: VolumeContext,
  manifest: SnapshotManifest,
  existing: string[],
): Promise<void> {
  const layer = newSnapshotId();
  const wanted = new Set(manifest.volumes.map((v) => v.dockerName));
  await Promise.all([
    ...existing.filter((n) => !wanted.has(n)).map((name) => removeVolume(ctx.docker, name)),
    ...manifest.volumes.map((volume) => attachVolume(ctx, manifest.id, layer, volume)),
  ]);
}

async function attachVolume(ctx: VolumeContext, snapshotId: string, layer: string, volume: VolumeRecord) {
  const dirs = {
    lower: ctx.layout.volumeData(snapshotId, volume.name),
    upper: ctx.layout.upper(layer, volume.name),
    work: ctx.layout.work(layer, volume.name),
  };
  const prepareLayer = async () => {
    await mkdir(dirs.upper, { recursive: true });
    await mkdir(dirs.work, { recursive: true });
    await copyRootAttributes(dirs.lower, dirs.upper);
  };
  await Promise.all([prepareLayer(), removeVolume(ctx.docker, volume.dockerName)]);
  await ctx.step(`volume-removed:${volume.name}`);
  const labels = { [STACK_NAMESPACE_LABEL]: ctx.stack, "ccci.snapshot": snapshotId };
  await createOverlayVolume(ctx.docker, volume.dockerName, dirs, labels);
  await ctx.step(`volume-created:${volume.name}`);
}

/** The unfinished generation a volume was staged in by `stageFreshVolumes`, else null. */
export function stagedIn(layout: SnapshotLayout, volume: VolumeInfo): string | null {
  const dir = bindDirOf(volume);
  const generation = dir ? layout.ownerOf(dir).generation : undefined;
  return generation && volume.labels["ccci.staged"] === generation ? generation : null;
}

/** pristine (empty scratch over the snapshot), modified, detached, or missing; reads no data. */
export async function volumeState(
  ctx: VolumeContext,
  manifest: SnapshotManifest,
  volume: VolumeRecord,
): Promise<VolumeState> {
  const info = await inspectVolume(ctx.docker, volume.dockerName);
  if (!info) return "missing";
  const dirs = overlayDirsOf(info);
  if (!dirs || dirs.lower !== ctx.layout.volumeData(manifest.id, volume.name)) return "detached";
  const upperEntries = await readdir(dirs.upper).catch(() => null);
  if (upperEntries === null) return "detached";
  if (upperEntries.length > 0) return "modified";
  const [upperRoot] = await statTree(dirs.upper).then((e) => e.slice(0, 1));
  const lowerRoot = volume.entries[0];
  const same =
    upperRoot &&
    lowerRoot &&
    (["mode", "uid", "gid", "mtimeNs"] as const).every((k) => upperRoot[k] === lowerRoot[k]);
  return same ? "pristine" : "modified";
}
