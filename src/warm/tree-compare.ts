import type { TreeEntry } from "./tree-digest.js";

const digestFields = ["type", "mode", "uid", "gid", "mtimeNs", "size", "extra"] as const;
const indexFields = ["type", "mode", "uid", "gid", "mtimeNs", "size", "ino", "ctimeNs"] as const;

/**
 * The first difference between two sorted entry lists, in words, or null when they agree.
 * `fast` compares the stat index (inode, ctime) instead of content hashes.
 */
export function firstDifference(
  expected: readonly TreeEntry[],
  actual: readonly TreeEntry[],
  mode: "fast" | "deep",
): string | null {
  const fields = mode === "fast" ? indexFields : digestFields;
  const actualByPath = new Map(actual.map((e) => [e.path, e]));
  const expectedPaths = new Set(expected.map((e) => e.path));
  // Missing and extra files first: they name the file, where the parent directory's mtime would not.
  const missing = expected.find((e) => !actualByPath.has(e.path));
  if (missing) return `${missing.path}: missing`;
  const extra = actual.find((e) => !expectedPaths.has(e.path));
  if (extra) return `${extra.path}: unexpected extra entry`;
  for (const want of expected) {
    const got = actualByPath.get(want.path) as TreeEntry;
    for (const field of fields) {
      if (want[field] !== got[field])
        return `${want.path}: ${describeField(field)} differs (${want[field]} -> ${got[field]})`;
    }
  }
  return null;
}

function describeField(field: string): string {
  if (field === "extra") return "content";
  if (field === "ctimeNs") return "ctime (modified after the snapshot was taken)";
  if (field === "ino") return "inode (replaced after the snapshot was taken)";
  return field;
}
