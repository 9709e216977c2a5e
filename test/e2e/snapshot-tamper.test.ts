import { appendFile, chmod, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SnapshotStore } from "../../src/warm/snapshot-store.js";
import { createFixture, inVolumes, type SnapFixture } from "../warm/snapshot-fixture.js";

describe("a tampered snapshot", () => {
  let fx: SnapFixture;
  let store: SnapshotStore;

  beforeAll(async () => {
    fx = await createFixture(["data"]);
    await inVolumes(
      fx.volumes,
      "mkdir -p /v/data/www && echo good > /v/data/www/index.html && echo keep > /v/data/other",
    );
    ({ store } = await SnapshotStore.open({ stateDir: fx.stateDir, recipe: "snaptest", stack: fx.stack }));
  });
  afterAll(async () => fx?.cleanup());

  const file = (id: string, path: string) => join(store.layout.volumeData(id, "data"), path);

  it.each([
    [
      "appended content",
      (p: string) => appendFile(p, "evil"),
      /volume data: www\/index.html: (mtimeNs|size) differs/,
    ],
    ["same size, mtime put back", sameSizeSameMtime, /volume data: www\/index.html: ctime \(modified after/],
    ["a changed mode", (p: string) => chmod(p, 0o777), /volume data: www\/index.html: mode differs/],
    ["a deleted file", (p: string) => rm(p), /volume data: www\/index.html: missing/],
    [
      "an added file",
      (p: string) => writeFile(`${p}.bak`, "x"),
      /volume data: www\/index.html\.bak: unexpected extra entry/,
    ],
  ])(
    "is refused on restore (%s), naming the volume and file, and the volumes are left alone",
    async (_n, tamper, named) => {
      await store.restore().catch(() => undefined);
      const manifest = await store.takeSnapshot();
      await inVolumes(fx.volumes, "echo scratch > /v/data/other");
      await tamper(file(manifest.id, "www/index.html"));
      await expect(store.restore()).rejects.toThrow(named);
      await expect(store.restore()).rejects.toMatchObject({ code: "SNAPSHOT_CORRUPT" });
      expect(await inVolumes(fx.volumes, "cat /v/data/other")).toBe("scratch");
      await expect(store.verify("deep")).rejects.toThrow(/volume data: www\/index.html/);
      await repair(manifest.id);
    },
  );

  it("catches changed content with unchanged size, mtime (and ctime) in a deep verify", async () => {
    const manifest = await store.takeSnapshot();
    const index = manifest.volumes[0]?.entries.find((e) => e.path === "www/index.html");
    expect(index?.extra).toMatch(/^[0-9a-f]{64}$/);
    // Only the deep check reads data; forge the stat index so that the fast check cannot see the change.
    await sameSizeSameMtime(file(manifest.id, "www/index.html"));
    await expect(store.verify("deep")).rejects.toThrow(/volume data: www\/index.html: content differs/);
    await repair(manifest.id);
  });

  /** Puts the original bytes back via the volume and retakes a snapshot, so the next case starts clean. */
  async function repair(id: string) {
    await rm(store.layout.generation(id), { recursive: true, force: true }).catch(() => undefined);
    await execa("docker", ["volume", "rm", "-f", ...fx.volumes]);
    await execa("docker", ["volume", "create", fx.volumes[0] as string]);
    await inVolumes(
      fx.volumes,
      "mkdir -p /v/data/www && echo good > /v/data/www/index.html && echo keep > /v/data/other",
    );
    await store.takeSnapshot();
  }
});

/** Rewrites a file with other bytes of the same size and puts its exact (ns) mtime back. */
async function sameSizeSameMtime(path: string) {
  const reference = join(tmpdir(), `ccci-snaptest-ref-${process.pid}`);
  await execa("cp", ["-p", path, reference]);
  const size = (await stat(path)).size;
  await writeFile(path, "!".repeat(size));
  await execa("touch", ["-m", `--reference=${reference}`, path]);
  await rm(reference);
}
