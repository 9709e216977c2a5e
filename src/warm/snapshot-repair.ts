import { access, mkdir, readdir, rename, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { CcciError } from "../errors.js";
import { bindDirOf, inspectVolume, listStackVolumes, overlayDirsOf } from "./docker-volumes.js";
import { unmountLeftovers } from "./overlay-view.js";
import type { SnapshotLayout } from "./snapshot-layout.js";
import { readManifest, type SnapshotManifest } from "./snapshot-manifest.js";

export interface RepairContext {
  layout: SnapshotLayout;
  docker: string;
  stack: string;
  reattach(manifest: SnapshotManifest): Promise<void>;
  inUse(volumes: string[]): Promise<string[]>;
}

/** What opening the store found and did; empty lists mean the store was clean. */
export interface OpenReport {
  snapshotId: string | null;
  /** Generations and layers moved away: leftovers of a crashed snapshot, or replaced ones. */
  discarded: string[];
  /** Repairs made, in words (e.g. an interrupted restore finished). */
  repaired: string[];
  /** Problems that need a human or a later call (e.g. an interrupted restore while the app is deployed). */
  problems: string[];
}

/**
 * Brings a store left by a killed process back to a whole state: unmounts leftover private views, finishes
 * an interrupted restore (volumes half switched), discards generations and layers nothing uses.
 * A `current` whose manifest is unreadable is reported, never deleted.
 */
export async function repairOnOpen(ctx: RepairContext): Promise<OpenReport> {
  const { layout } = ctx;
  for (const dir of [layout.root, layout.generations, layout.layers, layout.trash]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
  const report: OpenReport = {
    snapshotId: await layout.readCurrent(),
    discarded: [],
    repaired: [],
    problems: [],
  };
  const unmounted = await unmountLeftovers(layout.root);
  if (unmounted.length > 0) report.repaired.push(`unmounted leftover views ${unmounted.join(", ")}`);
  const manifest = report.snapshotId ? await readManifest(layout.manifest(report.snapshotId)) : null;
  if (await exists(layout.restoreIntent)) await finishRestore(ctx, manifest, report);
  const garbage = await collectGarbage(ctx);
  await garbage.removal;
  report.discarded.push(...garbage.discarded);
  return report;
}

async function finishRestore(ctx: RepairContext, manifest: SnapshotManifest | null, report: OpenReport) {
  if (!manifest) {
    await rm(ctx.layout.restoreIntent, { force: true });
    return;
  }
  const volumes = [
    ...new Set([
      ...(await listStackVolumes(ctx.docker, ctx.stack)),
      ...manifest.volumes.map((v) => v.dockerName),
    ]),
  ];
  const users = await ctx.inUse(volumes);
  if (users.length > 0) {
    report.problems.push(
      `a restore of ${manifest.id} was interrupted; cannot finish it while in use by ${users.join(", ")}`,
    );
    return;
  }
  await ctx.reattach(manifest);
  await rm(ctx.layout.restoreIntent, { force: true });
  report.repaired.push(`finished an interrupted restore of snapshot ${manifest.id}`);
}

/**
 * Moves every generation other than `current`, and every layer, that no volume of the stack uses into
 * trash (fast, under the store's lock), and returns the slow removal as a promise the caller may await.
 */
export async function collectGarbage(
  ctx: RepairContext,
): Promise<{ discarded: string[]; removal: Promise<void> }> {
  const { layout } = ctx;
  const current = await layout.readCurrent();
  if (current)
    await access(layout.manifest(current)).catch(() => {
      throw new CcciError(
        "SNAPSHOT_CORRUPT",
        `${layout.current} points to ${current}, which has no manifest`,
      );
    });
  const used = await usedPaths(ctx);
  const keepGenerations = new Set([current, ...used.map((p) => layout.ownerOf(p).generation)]);
  const keepLayers = new Set(used.map((p) => layout.ownerOf(p).layer));
  const discarded: string[] = [];
  const move = async (dir: string, name: string, kind: string) => {
    await rename(join(dir, name), join(layout.trash, `${kind}-${name}`));
    discarded.push(`${kind} ${name}`);
  };
  for (const name of await readdir(layout.generations))
    if (!keepGenerations.has(name)) await move(layout.generations, name, "generation");
  for (const name of await readdir(layout.layers))
    if (!keepLayers.has(name)) await move(layout.layers, name, "layer");
  for (const name of await readdir(layout.root))
    if (name.startsWith(".current.tmp-")) await unlink(join(layout.root, name));
  const trashed = await readdir(layout.trash);
  const removal = Promise.all(
    trashed.map((name) => rm(join(layout.trash, name), { recursive: true, force: true })),
  ).then(() => undefined);
  return { discarded, removal };
}

/** Lower and upper directories of the stack's overlay volumes, and its staged (bind) volumes' dirs. */
async function usedPaths(ctx: RepairContext): Promise<string[]> {
  const paths: string[] = [];
  for (const name of await listStackVolumes(ctx.docker, ctx.stack)) {
    const info = await inspectVolume(ctx.docker, name);
    const dirs = info ? overlayDirsOf(info) : null;
    if (dirs) paths.push(dirs.lower, dirs.upper);
    const staged = info ? bindDirOf(info) : null;
    if (staged) paths.push(staged);
  }
  return paths;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
