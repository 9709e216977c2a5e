import { createHash } from "node:crypto";
import type { BigIntStats } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { hashFiles } from "./hash-pool.js";

/**
 * Content digests of a directory tree. A tree's digest is the sha256 of one line per entry, in path order:
 * path, type, permission bits, owner, group, mtime (ns), size and, per type, the content's sha256 (files),
 * the target (symlinks) or the device number (devices). Directories count too, so empty ones are covered.
 * Each entry also keeps inode and ctime: they are not part of the digest (a copy has new ones) but let a
 * stored tree be checked without reading its data — ctime cannot be set from user space, so an unchanged
 * (inode, ctime) proves the bytes are the ones that were hashed.
 */
export interface TreeEntry {
  path: string;
  type: "f" | "d" | "l" | "c" | "b" | "p" | "s";
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: string;
  size: number;
  extra: string;
  ino: string;
  ctimeNs: string;
}

export interface TreeDigest {
  digest: string;
  files: number;
  bytes: number;
  entries: TreeEntry[];
}

const CONCURRENCY = 8;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function typeOf(stat: BigIntStats): TreeEntry["type"] {
  if (stat.isFile()) return "f";
  if (stat.isDirectory()) return "d";
  if (stat.isSymbolicLink()) return "l";
  if (stat.isCharacterDevice()) return "c";
  if (stat.isBlockDevice()) return "b";
  if (stat.isFIFO()) return "p";
  return "s";
}

/** Every entry under `root` (root itself as "."), with its metadata but without content hashes. */
export async function statTree(root: string): Promise<TreeEntry[]> {
  const rootStat = await lstat(root, { bigint: true });
  if (!rootStat.isDirectory()) throw new Error(`${root} is not a directory`);
  const entries: TreeEntry[] = [toEntry(".", rootStat)];
  let dirs = ["."];
  while (dirs.length > 0) {
    const children = (
      await mapLimit(dirs, CONCURRENCY, async (dir) =>
        (await readdir(join(root, dir))).map((name) => (dir === "." ? name : `${dir}/${name}`)),
      )
    ).flat();
    const stats = await mapLimit(children, 64, async (path) =>
      toEntry(path, await lstat(join(root, path), { bigint: true })),
    );
    entries.push(...stats);
    dirs = stats.filter((e) => e.type === "d").map((e) => e.path);
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function toEntry(path: string, stat: BigIntStats): TreeEntry {
  const type = typeOf(stat);
  return {
    path,
    type,
    mode: Number(stat.mode & 0o7777n),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    mtimeNs: stat.mtimeNs.toString(),
    size: type === "f" ? Number(stat.size) : 0,
    extra: type === "c" || type === "b" ? stat.rdev.toString() : "",
    ino: stat.ino.toString(),
    ctimeNs: stat.ctimeNs.toString(),
  };
}

export function digestLine(e: TreeEntry): string {
  return `${JSON.stringify([e.path, e.type, e.mode, e.uid, e.gid, e.mtimeNs, e.size, e.extra])}\n`;
}

export function digestOfEntries(entries: readonly TreeEntry[]): string {
  const hash = createHash("sha256");
  for (const entry of entries) hash.update(digestLine(entry));
  return hash.digest("hex");
}

/** Reads every byte under `root` and returns its digest and entries. */
export async function digestTree(root: string): Promise<TreeDigest> {
  const entries = await statTree(root);
  const files = entries.filter((e) => e.type === "f");
  const hashes = await hashFiles(files.map((e) => ({ path: join(root, e.path), size: e.size })));
  for (const [i, entry] of files.entries()) entry.extra = hashes[i] as string;
  await mapLimit(
    entries.filter((e) => e.type === "l"),
    CONCURRENCY,
    async (entry) => {
      entry.extra = await readlink(join(root, entry.path));
    },
  );
  return {
    digest: digestOfEntries(entries),
    files: files.length,
    bytes: files.reduce((n, e) => n + e.size, 0),
    entries,
  };
}
