import { createHash } from "node:crypto";

/** One member of a tar archive as content: what a restore must bring back (not times or owners). */
export interface ManifestEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "hardlink" | "other";
  size: number;
  /** sha256 of a file's content, or a link's target. */
  digest: string;
}

const text = (block: Buffer, start: number, length: number) =>
  block
    .subarray(start, start + length)
    .toString("utf8")
    .replace(/\0.*$/s, "");
const octal = (block: Buffer, start: number, length: number) =>
  Number.parseInt(text(block, start, length).trim() || "0", 8);

/** `len key=value\n` records of a PAX extended header. */
function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  for (const line of data.toString("utf8").split("\n")) {
    const match = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (match) records[match[1]!] = match[2]!;
  }
  return records;
}

const typeOf = (flag: string): ManifestEntry["type"] =>
  flag === "0" || flag === "" || flag === "7"
    ? "file"
    : flag === "5"
      ? "dir"
      : flag === "2"
        ? "symlink"
        : flag === "1"
          ? "hardlink"
          : "other";

/**
 * The members of a tar archive (ustar, PAX and GNU long names, as `docker cp` writes them) with a digest
 * of each file's content, sorted by path. Nothing is extracted: the archive came out of a container.
 */
export function tarManifest(archive: Buffer): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  let pending: { path?: string; size?: number } = {};
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const flag = text(header, 156, 1);
    const size = pending.size ?? octal(header, 124, 12);
    const data = archive.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (flag === "x") {
      const pax = paxRecords(data);
      pending = { path: pax.path, size: pax.size === undefined ? undefined : Number(pax.size) };
      continue;
    }
    if (flag === "L") {
      pending = { ...pending, path: data.toString("utf8").replace(/\0.*$/s, "") };
      continue;
    }
    if (flag === "g") continue;
    const prefix = text(header, 345, 155);
    const path = (
      pending.path ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100))
    ).replace(/\/$/, "");
    const type = typeOf(flag);
    const digest =
      type === "file"
        ? createHash("sha256").update(data).digest("hex")
        : type === "dir"
          ? ""
          : text(header, 157, 100);
    entries.push({ path, type, size: type === "file" ? size : 0, digest });
    pending = {};
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * What of `before` is missing or changed in `after`, in words (empty when all of it came back). Files
 * only in `after` do not count: a fresh app may write its own beside what is restored, as backupbot's
 * restore leaves them too.
 */
export function manifestDifferences(before: ManifestEntry[], after: ManifestEntry[]): string[] {
  const key = (e: ManifestEntry) => `${e.type}:${e.size}:${e.digest}`;
  const afterByPath = new Map(after.map((e) => [e.path, e]));
  const problems: string[] = [];
  for (const entry of before) {
    const now = afterByPath.get(entry.path);
    if (!now) problems.push(`${entry.path} missing`);
    else if (key(now) !== key(entry)) problems.push(`${entry.path} changed`);
  }
  return problems;
}
