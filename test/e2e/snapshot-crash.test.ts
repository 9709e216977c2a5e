import { randomBytes } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SnapshotStore } from "../../src/warm/snapshot-store.js";
import { createFixture, inVolumes, type SnapFixture } from "../warm/snapshot-fixture.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const buildDir = join(
  repoRoot,
  "node_modules/.cache",
  `ccci-snaptest-build-${randomBytes(3).toString("hex")}`,
);
const childScript = join(repoRoot, "test/warm/snapshot-child.mjs");

/** Starts the child in its own process group; resolves once it reports `paused` (or after `delayMs`). */
async function runAndKill(args: string[], pauseAt: string | null, delayMs = 0): Promise<string> {
  const child: ResultPromise = execa("node", [childScript, buildDir, ...args, pauseAt ?? "-"], {
    detached: true,
    reject: false,
    buffer: true,
  });
  let out = "";
  await new Promise<void>((done) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (pauseAt && out.includes("paused")) done();
    });
    if (!pauseAt) setTimeout(done, delayMs);
    void child.then(() => done());
  });
  // A crash of the service: the whole process group dies at once (as systemd's KillMode=control-group does).
  // The operation may have finished before the chosen moment: then there is nothing left to kill.
  if (child.pid) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }
  await child;
  return out;
}

describe("crash safety of the snapshot store", () => {
  let fx: SnapFixture;
  const open = () => SnapshotStore.open({ stateDir: fx.stateDir, recipe: "snaptest", stack: fx.stack });

  beforeAll(async () => {
    await execa(
      "npx",
      [
        "tsc",
        "--outDir",
        buildDir,
        "--rootDir",
        "src",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--skipLibCheck",
        "--types",
        "node",
        "src/warm/snapshot-store.ts",
      ],
      { cwd: repoRoot, reject: false },
    );
    fx = await createFixture(["data", "db"]);
    await inVolumes(
      fx.volumes,
      "echo v1 > /v/data/marker && head -c 50000000 /dev/urandom > /v/db/big && mkdir /v/data/empty",
    );
    const { store } = await open();
    await store.takeSnapshot({ by: "setup" });
  });
  afterAll(async () => {
    await fx?.cleanup();
    await rm(buildDir, { recursive: true, force: true });
  });

  /** After any crash: a whole snapshot (deep-verified), only it (or what volumes use) kept, restore works. */
  async function expectWholeStore(): Promise<{
    id: string;
    report: Awaited<ReturnType<typeof open>>["report"];
  }> {
    const { store, report } = await open();
    const manifest = await store.verify("deep");
    const generations = await readdir(store.layout.generations);
    expect(generations).toContain(manifest.id);
    await store.restore();
    await store.idle();
    expect(await readdir(store.layout.generations)).toEqual([manifest.id]);
    for (const volume of manifest.volumes)
      expect(await store.digestVolume(volume.dockerName)).toBe(volume.digest);
    expect(Object.values(await store.volumeStates())).toEqual(["pristine", "pristine"]);
    return { id: manifest.id, report };
  }

  it.each([
    ["before the copy", "copying", "old"],
    ["after the copy, before the manifest", "copied", "old"],
    ["after the manifest, before the switch", "manifest-written", "old"],
    ["after the switch, before the volumes move", "committed", "new"],
    ["with one volume moved and one not", "volume-created:data", "new"],
  ])(
    "SIGKILL during a snapshot write (%s) leaves the old or the new snapshot whole",
    async (_n, step, which) => {
      const before = (await (await open()).store.current())?.id;
      await inVolumes(fx.volumes, `echo ${step} > /v/data/marker`);
      const out = await runAndKill(["snapshot", fx.stateDir, fx.stack], step);
      expect(out).toContain(`step ${step}`);
      const { id, report } = await expectWholeStore();
      if (which === "old") {
        expect(id).toBe(before);
        expect(report.discarded.some((d) => d.startsWith("generation "))).toBe(true);
      } else expect(id).not.toBe(before);
      expect(await inVolumes([fx.volumes[0] as string], "cat /v/data/marker")).toBe(
        which === "old" ? await markerOf(before) : step,
      );
    },
  );

  // A promotion stages fresh volumes in a new generation (bind mounts), lets the app write, then commits.
  it.each([
    ["before the staged generation is digested", "copying", "old"],
    ["after the digest, before the manifest", "copied", "old"],
    ["after the switch, before the volumes become overlays", "committed", "new"],
  ])(
    "SIGKILL during a snapshot of staged volumes (%s) leaves the old or the new snapshot whole",
    async (_n, step, which) => {
      const { store } = await open();
      const before = (await store.current())?.id;
      const staged = await store.stageFreshVolumes(["data", "db"]);
      await inVolumes(
        fx.volumes,
        `echo ${step} > /v/data/marker && head -c 1000000 /dev/urandom > /v/db/big`,
      );
      const out = await runAndKill(["snapshot", fx.stateDir, fx.stack], step);
      expect(out).toContain(`step ${step}`);
      const { id } = await expectWholeStore();
      expect(id).toBe(which === "old" ? before : staged);
      expect(await inVolumes([fx.volumes[0] as string], "cat /v/data/marker")).toBe(
        which === "old" ? await markerOf(before) : step,
      );
    },
  );

  it.each([
    ["verified"],
    ["intent-written"],
    ["volume-removed:data"],
    ["volume-created:data"],
    ["volume-removed:db"],
  ])("SIGKILL during a restore (at %s) is finished or harmless on the next open", async (step) => {
    await inVolumes(fx.volumes, "echo dirty > /v/data/marker");
    const before = (await (await open()).store.current())?.id;
    const out = await runAndKill(["restore", fx.stateDir, fx.stack], step);
    expect(out).toContain("paused");
    const { store, report } = await open();
    if (step !== "verified") expect(report.repaired.join()).toMatch(/finished an interrupted restore/);
    expect((await store.current())?.id).toBe(before);
    await expectWholeStore();
  });

  it("SIGKILL at random moments of snapshots and restores never leaves a broken store", async () => {
    for (let round = 0; round < 6; round++) {
      await inVolumes(fx.volumes, `echo random${round} > /v/data/marker`);
      await runAndKill(
        [round % 2 ? "restore" : "snapshot", fx.stateDir, fx.stack],
        null,
        100 + Math.random() * 1500,
      );
      await expectWholeStore();
    }
  });

  async function markerOf(id: string | undefined): Promise<string> {
    const { store } = await open();
    const { readFile } = await import("node:fs/promises");
    return (await readFile(join(store.layout.volumeData(id as string, "data"), "marker"), "utf8")).trim();
  }
});
