import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CanonicalRegistry } from "../../src/warm/registry.js";

const commit = "0123456789abcdef0123456789abcdef01234567";
let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ccci-registry-"));
  path = join(dir, "canonicals.yml");
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe("CanonicalRegistry", () => {
  it("starts empty when the file does not exist", async () => {
    expect(await new CanonicalRegistry(path, "ci.localhost").list()).toEqual([]);
  });

  it("records a seed, then a promotion that keeps seededAt and moves the known-good", async () => {
    const registry = new CanonicalRegistry(path, "ci.localhost");
    const seeded = await registry.promote("hello", {
      commit,
      ref: "main",
      snapshotId: "s1",
      at: new Date("2026-01-01T00:00:00Z"),
    });
    expect(seeded.domain).toBe("warm-hello.ci.localhost");
    await registry.promote("hello", {
      commit: "abcdef0",
      ref: "1.2.0+3.4",
      version: "1.2.0+3.4",
      snapshotId: "s2",
      at: new Date("2026-02-01T00:00:00Z"),
    });
    const reread = await new CanonicalRegistry(path, "ci.localhost").get("hello");
    expect(reread).toEqual({
      domain: "warm-hello.ci.localhost",
      knownGood: { commit: "abcdef0", version: "1.2.0+3.4", ref: "1.2.0+3.4" },
      snapshotId: "s2",
      seededAt: "2026-01-01T00:00:00.000Z",
      promotedAt: "2026-02-01T00:00:00.000Z",
    });
    expect(await readFile(path, "utf8")).toMatch(/^# ccci canonical registry/);
    expect((await readdir(dir)).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });

  it("refuses an invalid recipe name before writing", async () => {
    const registry = new CanonicalRegistry(path, "ci.localhost");
    await expect(registry.promote("Bad Name", { commit, ref: "main", snapshotId: "s1" })).rejects.toThrow(
      /invalid recipe name/,
    );
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });

  const entry = (extra = "") =>
    `  hello:\n    domain: warm-hello.ci.localhost\n    knownGood:\n      commit: ${commit}\n      ref: main\n` +
    `    snapshotId: s1\n    seededAt: 2026-01-01T00:00:00.000Z\n    promotedAt: 2026-01-01T00:00:00.000Z\n${extra}`;

  it.each([
    ["a YAML syntax error", `version: 1\ncanonicals:\n  hello: {domain: x\n`, /canonicals\.yml:4:/],
    [
      "a truncated file (crash of a non-atomic writer)",
      `version: 1\ncanonicals:\n  hello:\n    domain: "warm-he`,
      /canonicals\.yml:4:/,
    ],
    ["an unknown version", `version: 2\ncanonicals: {}\n`, /canonicals\.yml:1: version: /],
    [
      "a bad commit",
      `version: 1\ncanonicals:\n${entry().replace(commit, "not-a-hash")}`,
      /canonicals\.yml:6: canonicals\.hello\.knownGood\.commit/,
    ],
    [
      "a missing snapshot id",
      `version: 1\ncanonicals:\n${entry().replace("    snapshotId: s1\n", "")}`,
      /:3: canonicals\.hello\.snapshotId/,
    ],
    [
      "an unknown field",
      `version: 1\ncanonicals:\n${entry("    colour: blue\n")}`,
      /canonicals\.yml:11: canonicals\.hello\.colour/,
    ],
    [
      "a bad timestamp",
      `version: 1\ncanonicals:\n${entry().replace("seededAt: 2026-01-01T00:00:00.000Z", "seededAt: yesterday")}`,
      /:9: canonicals\.hello\.seededAt/,
    ],
    [
      "a bad recipe name",
      `version: 1\ncanonicals:\n${entry().replace("  hello:", "  Hello_X:")}`,
      /:3: bad recipe name Hello_X/,
    ],
    ["a list instead of a map", `- version: 1\n`, /canonicals\.yml:1: /],
  ])("reports %s with the file and line, and never overwrites it", async (_name, text, expected) => {
    await writeFile(path, text);
    const registry = new CanonicalRegistry(path, "ci.localhost");
    await expect(registry.list()).rejects.toThrow(expected);
    await expect(registry.list()).rejects.toThrow(path);
    await expect(registry.promote("other", { commit, ref: "main", snapshotId: "s9" })).rejects.toMatchObject({
      code: "REGISTRY_INVALID",
    });
    await expect(registry.remove("hello")).rejects.toMatchObject({ code: "REGISTRY_INVALID" });
    expect(await readFile(path, "utf8")).toBe(text);
    expect(await readdir(dir)).toEqual(["canonicals.yml"]);
  });

  it("serialises concurrent promotions without losing one", async () => {
    const registry = new CanonicalRegistry(path, "ci.localhost");
    await Promise.all(
      ["a", "b", "c", "d", "e"].map((recipe) =>
        registry.promote(recipe, { commit, ref: "main", snapshotId: recipe }),
      ),
    );
    expect((await registry.list()).map((c) => c.recipe)).toEqual(["a", "b", "c", "d", "e"]);
  });
});
