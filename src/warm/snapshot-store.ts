import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Mutex } from "async-mutex";
import { STACK_NAMESPACE_LABEL } from "../deploy/stack-label.js";
import { CcciError } from "../errors.js";
import type { Logger } from "../log.js";
import { validateRecipeName } from "../recipe/naming.js";
import { writeFileAtomic } from "./atomic-file.js";
import { copyTree, syncFilesystem } from "./copy-tree.js";
import type { VolumeInfo } from "./docker-volumes.js";
import {
  bindDirOf,
  createBindVolume,
  findStackUsers,
  inspectVolume,
  listStackVolumes,
  removeVolume,
} from "./docker-volumes.js";
import { withMergedView } from "./overlay-view.js";
import { newSnapshotId, SnapshotLayout } from "./snapshot-layout.js";
import { readManifest, type SnapshotManifest, writeManifest } from "./snapshot-manifest.js";
import { collectGarbage, type OpenReport, repairOnOpen } from "./snapshot-repair.js";
import { recordVolume, type VerifyMode, verifyManifest } from "./snapshot-verify.js";
import {
  attachVolumes,
  stagedIn,
  type VolumeContext,
  type VolumeState,
  volumeState,
} from "./snapshot-volumes.js";
import { digestTree } from "./tree-digest.js";

export type { VerifyMode, VolumeState };

export interface SnapshotStoreOptions {
  stateDir: string;
  recipe: string;
  /** The canonical's stack name (`stackName(warmDomain(recipe, base))`); its volumes are `<stack>_<vol>`. */
  stack: string;
  dockerBin?: string;
  log?: Logger;
  /** Called at each step of a snapshot or restore (progress; tests use it to crash at a known point). */
  onStep?: (step: string) => void | Promise<void>;
}

/**
 * The last-known-good data of one canonical app: the immutable raw data of each of its volumes, which
 * the app's Docker volumes mount as overlay lower layers. Restoring is discarding the scratch (upper) layer,
 * so it costs the same whatever the data size. One instance per recipe and process; every operation that
 * changes the store runs under its mutex (the caller also holds the app's lock).
 */
export class SnapshotStore {
  readonly layout: SnapshotLayout;
  private readonly mutex = new Mutex();
  private readonly docker: string;
  private pendingCleanup: Promise<unknown> = Promise.resolve();
  /** A fast verification started ahead of a restore (`verifyAhead`): the snapshot id it passed for. */
  private verifiedAhead?: Promise<string | null>;
  /** The manifest `current` pointed at when last read (generations are immutable once committed). */
  private currentManifest?: SnapshotManifest;

  constructor(private readonly options: SnapshotStoreOptions) {
    validateRecipeName(options.recipe);
    this.layout = new SnapshotLayout(join(options.stateDir, "snapshots", options.recipe));
    this.docker = options.dockerBin ?? "docker";
  }

  /** Opens the store, discarding half-written generations and finishing an interrupted restore. */
  static async open(options: SnapshotStoreOptions): Promise<{ store: SnapshotStore; report: OpenReport }> {
    const store = new SnapshotStore(options);
    const report = await store.mutex.runExclusive(() => repairOnOpen(store.repairContext()));
    store.options.log?.info({ recipe: options.recipe, ...report }, "snapshot store opened");
    return { store, report };
  }

  /** The manifest of the last-known-good snapshot, or null when there is none. */
  async current(): Promise<SnapshotManifest | null> {
    const id = await this.layout.readCurrent();
    if (!id) return null;
    // A generation never changes once committed, and parsing a manifest of 20k entries costs ~50 ms.
    if (this.currentManifest?.id !== id) this.currentManifest = await readManifest(this.layout.manifest(id));
    return this.currentManifest;
  }

  /**
   * Brings every volume of the (undeployed) stack into a new generation, digests it, makes it durable,
   * switches `current` to it, then points the volumes at it with an empty scratch layer. Volumes staged
   * by `stageFreshVolumes` already hold their data in that generation (nothing to copy, whatever the
   * size); any other volume is copied from its merged view (`cp -a`).
   */
  async takeSnapshot(meta: Record<string, string> = {}): Promise<SnapshotManifest> {
    return this.exclusive(async () => {
      const dockerNames = await listStackVolumes(this.docker, this.options.stack);
      if (dockerNames.length === 0) {
        throw new CcciError("SNAPSHOT_MISSING", `stack ${this.options.stack} has no volumes to snapshot`);
      }
      await this.assertNotInUse("snapshot", dockerNames);
      const infos = await Promise.all(dockerNames.map((name) => this.inspectStackVolume(name)));
      const id = infos.map((v) => stagedIn(this.layout, v)).find((g) => g !== null) ?? newSnapshotId();
      await mkdir(join(this.layout.generation(id), "volumes"), { recursive: true });
      await this.step("copying");
      const names = dockerNames.map((n) => n.slice(this.options.stack.length + 1));
      for (const [i, name] of names.entries()) {
        const volume = infos[i] as VolumeInfo;
        if (bindDirOf(volume) === this.layout.volumeData(id, name)) continue; // staged: already there
        await withMergedView(volume, this.layout.root, (dir) =>
          copyTree(dir, this.layout.volumeData(id, name)),
        );
        await this.step(`copied:${name}`);
      }
      await this.step("copied");
      const [volumes] = await Promise.all([
        Promise.all(names.map((name, i) => recordVolume(this.layout, id, name, dockerNames[i] as string))),
        syncFilesystem(this.layout.generation(id)),
      ]);
      const manifest: SnapshotManifest = {
        format: 1,
        ...{ id, recipe: this.options.recipe, stack: this.options.stack },
        ...{ createdAt: new Date().toISOString(), meta, volumes },
      };
      await writeManifest(this.layout.manifest(id), manifest);
      await this.step("manifest-written");
      await this.layout.switchCurrent(id);
      await this.step("committed");
      // From here the volumes move to the new generation; an interrupted move is finished on the next open.
      await writeFileAtomic(this.layout.restoreIntent, JSON.stringify({ snapshotId: id }));
      await attachVolumes(this.volumeContext(), manifest, dockerNames);
      await rm(this.layout.restoreIntent, { force: true });
      this.options.log?.info({ recipe: this.options.recipe, snapshotId: id }, "snapshot taken");
      return manifest;
    });
  }

  /**
   * Makes the stack's volumes equal the last-known-good again: checks the snapshot against its manifest
   * (`fast`: stat index, no data read; `deep`: every byte re-hashed), then recreates each volume as an
   * overlay over it with an empty scratch layer. Removes stack volumes the snapshot does not have.
   */
  async restore(verify: VerifyMode = "fast"): Promise<SnapshotManifest> {
    return this.exclusive(async () => {
      const manifest = await this.requireCurrent();
      const known = manifest.volumes.map((v) => v.dockerName);
      const [existing] = await Promise.all([
        listStackVolumes(this.docker, this.options.stack),
        this.assertNotInUse("restore", known),
      ]);
      const extra = existing.filter((name) => !known.includes(name));
      if (extra.length > 0) await this.assertNotInUse("restore", extra);
      const ahead = verify === "fast" ? this.verifiedAhead : undefined;
      this.verifiedAhead = undefined;
      if ((await ahead) !== manifest.id) await verifyManifest(this.layout, manifest, verify);
      await this.step("verified");
      await writeFileAtomic(this.layout.restoreIntent, JSON.stringify({ snapshotId: manifest.id }));
      await this.step("intent-written");
      await attachVolumes(this.volumeContext(), manifest, existing);
      await rm(this.layout.restoreIntent, { force: true });
      await this.step("restored");
      return manifest;
    });
  }

  /**
   * Starts the fast check of the current snapshot now, so that the next `restore()` finds it done: a
   * quick run starts it while it undeploys or fetches, which takes the O(files) stat of the snapshot off
   * the restore's path. The generation is immutable, so a check made a moment earlier still holds; the
   * restore re-checks inline if `current` moved in between, and refuses if the check failed.
   */
  verifyAhead(): void {
    const check = this.current().then(async (manifest) => {
      if (manifest) await verifyManifest(this.layout, manifest, "fast");
      return manifest?.id ?? null;
    });
    check.catch(() => undefined); // consumed (and thrown) by the next restore
    this.verifiedAhead = check;
  }

  /** Checks the current snapshot against its manifest; throws SNAPSHOT_CORRUPT naming volume and file. */
  async verify(mode: VerifyMode = "deep"): Promise<SnapshotManifest> {
    const manifest = await this.requireCurrent();
    await verifyManifest(this.layout, manifest, mode);
    return manifest;
  }

  /** Digest of what the app sees in a volume (merged view), comparable with a manifest's volume digest. */
  async digestVolume(dockerName: string): Promise<string> {
    const info = await inspectVolume(this.docker, dockerName);
    if (!info) throw new CcciError("SNAPSHOT_MISSING", `volume ${dockerName} does not exist`);
    return withMergedView(info, this.layout.root, async (dir) => (await digestTree(dir)).digest);
  }

  /** Per volume: pristine (empty scratch over current), modified, detached, missing, extra. Reads no data. */
  async volumeStates(): Promise<Record<string, VolumeState>> {
    const manifest = await this.current();
    const states: Record<string, VolumeState> = {};
    for (const name of await listStackVolumes(this.docker, this.options.stack)) states[name] = "extra";
    for (const volume of manifest?.volumes ?? []) {
      states[volume.dockerName] = await volumeState(
        this.volumeContext(),
        manifest as SnapshotManifest,
        volume,
      );
    }
    return states;
  }

  /**
   * Before a promotion's fresh deploy: replaces the stack's volumes by empty ones bound to directories of
   * a new, unfinished generation (`<stack>_<key>` for each compose volume key), so what the app writes
   * on its first boot is already in the store and the snapshot that follows moves no data. Until that
   * snapshot commits, the generation is garbage as soon as no volume uses it (a crash discards it).
   */
  async stageFreshVolumes(keys: readonly string[]): Promise<string> {
    return this.exclusive(async () => {
      const existing = await listStackVolumes(this.docker, this.options.stack);
      await this.assertNotInUse("stage fresh volumes of", existing);
      await Promise.all(existing.map((name) => removeVolume(this.docker, name)));
      const id = newSnapshotId();
      const labels = { [STACK_NAMESPACE_LABEL]: this.options.stack, "ccci.staged": id };
      for (const key of keys) {
        const dir = this.layout.volumeData(id, key);
        await mkdir(dir, { recursive: true, mode: 0o755 }); // what Docker gives a new volume's root
        await createBindVolume(this.docker, `${this.options.stack}_${key}`, dir, labels);
      }
      return id;
    });
  }

  /** Resolves when background removal of discarded layers and generations has finished. */
  async idle(): Promise<void> {
    await this.pendingCleanup;
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = await this.mutex.runExclusive(fn);
    const cleanup = this.mutex.runExclusive(() => collectGarbage(this.repairContext()));
    this.pendingCleanup = Promise.all([this.pendingCleanup, cleanup.then((c) => c.removal)]).catch((error) =>
      this.options.log?.warn({ err: error }, "snapshot garbage removal failed"),
    );
    return result;
  }

  private repairContext() {
    return {
      layout: this.layout,
      docker: this.docker,
      stack: this.options.stack,
      reattach: async (manifest: SnapshotManifest) =>
        attachVolumes(
          this.volumeContext(),
          manifest,
          await listStackVolumes(this.docker, this.options.stack),
        ),
      inUse: async (volumes: string[]) => findStackUsers(this.docker, this.options.stack, volumes),
    };
  }

  private async step(name: string): Promise<void> {
    this.options.log?.debug({ recipe: this.options.recipe, step: name }, "snapshot store step");
    await this.options.onStep?.(name);
  }

  private volumeContext(): VolumeContext {
    return { docker: this.docker, stack: this.options.stack, layout: this.layout, step: (n) => this.step(n) };
  }

  private async requireCurrent(): Promise<SnapshotManifest> {
    const manifest = await this.current();
    if (!manifest) throw new CcciError("SNAPSHOT_MISSING", `no snapshot of ${this.options.recipe} yet`);
    return manifest;
  }

  private async assertNotInUse(action: string, volumes: string[]): Promise<void> {
    const users = await findStackUsers(this.docker, this.options.stack, volumes);
    if (users.length === 0) return;
    throw new CcciError(
      "SNAPSHOT_REFUSED",
      `refusing to ${action} ${this.options.stack} while it is deployed or its volumes are in use: ${users.join(", ")}`,
    );
  }

  private async inspectStackVolume(dockerName: string): Promise<VolumeInfo> {
    const info = await inspectVolume(this.docker, dockerName);
    if (!info) throw new CcciError("SNAPSHOT_MISSING", `volume ${dockerName} vanished during the snapshot`);
    return info;
  }
}
