import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { manifestDifferences, tarManifest } from "../../src/engine/backup/tar-manifest.js";

function archive(
  format: "ustar" | "pax" | "gnu",
  files: Record<string, string>,
  link?: [string, string],
): Buffer {
  const root = mkdtempSync(join(tmpdir(), "ccci-tar-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  if (link) symlinkSync(link[1], join(root, link[0]));
  return execFileSync("tar", ["-c", `--format=${format}`, "-f", "-", "-C", root, "www"]);
}

const long = `www/${"deep/".repeat(30)}file.txt`;

describe("tarManifest", () => {
  it.each(["ustar", "pax", "gnu"] as const)(
    "lists the members of a %s archive with content digests",
    (format) => {
      const files = { "www/index.html": "hello\n", "www/token": "abc" };
      const entries = tarManifest(
        archive(format, format === "ustar" ? files : { ...files, [long]: "x" }, ["www/link", "token"]),
      );
      expect(entries.find((e) => e.path === "www/index.html")).toMatchObject({ type: "file", size: 6 });
      expect(entries.find((e) => e.path === "www/link")).toMatchObject({ type: "symlink", digest: "token" });
      expect(entries.find((e) => e.path === "www")).toMatchObject({ type: "dir" });
      if (format !== "ustar")
        expect(entries.find((e) => e.path === long)).toMatchObject({ type: "file", size: 1 });
    },
  );

  it("tells the same content from changed and missing files, ignoring files only the fresh app has", () => {
    const before = tarManifest(archive("pax", { "www/a": "1", "www/b": "2", "www/c": "3" }));
    const after = tarManifest(archive("pax", { "www/a": "1", "www/b": "changed", "www/new": "4" }));
    expect(manifestDifferences(before, before)).toEqual([]);
    expect(manifestDifferences(before, after)).toEqual(["www/b changed", "www/c missing"]);
  });
});
