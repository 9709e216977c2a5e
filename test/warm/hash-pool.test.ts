import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashFiles } from "../../src/warm/hash-pool.js";

describe("hashFiles on worker threads", () => {
  let dir: string;
  const contents: Buffer[] = [];
  const files: { path: string; size: number }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ccci-hash-pool-"));
    // Many small files around two large ones, so batches split by count and by bytes.
    const sizes = [
      0,
      1,
      ...Array.from({ length: 150 }, (_, i) => 1 + ((i * 977) % 20_000)),
      9 << 20,
      3,
      12 << 20,
      7,
    ];
    for (const [i, size] of sizes.entries()) {
      const data = randomBytes(size);
      const path = join(dir, `f${i}`);
      await writeFile(path, data);
      contents.push(data);
      files.push({ path, size });
    }
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it.each([1, 3, 8])("returns each file's sha256 in input order with %i workers", async (workers) => {
    const expected = contents.map((c) => createHash("sha256").update(c).digest("hex"));
    expect(await hashFiles(files, workers)).toEqual(expected);
  });

  it("returns nothing for no files", async () => {
    expect(await hashFiles([])).toEqual([]);
  });

  it("names the file it could not read", async () => {
    const missing = { path: join(dir, "gone"), size: 10 };
    await expect(hashFiles([...files.slice(0, 40), missing, ...files.slice(40)], 4)).rejects.toThrow(
      new RegExp(`${missing.path}: ENOENT`),
    );
  });
});
