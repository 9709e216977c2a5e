import { chmod, lchown, lstat } from "node:fs/promises";
import { execa } from "execa";
import { CcciError } from "../errors.js";

/**
 * Copies `source` to `target` (which must not exist) exactly: contents, modes, owners, symlinks, empty
 * dirs, ns mtimes, sparse files, hard links and xattrs (`cp -a`). GNU cp is used rather than a Node copy
 * because Node can only set times through a float of seconds, which loses nanoseconds.
 */
export async function copyTree(source: string, target: string, signal?: AbortSignal): Promise<void> {
  const result = await execa("cp", ["-a", "--no-target-directory", "--", source, target], {
    reject: false,
    cancelSignal: signal,
  });
  if (result.exitCode !== 0) {
    throw new CcciError(
      "DEPLOY_FAILED",
      `copying ${source} to ${target} failed: ${String(result.stderr).trim()}`,
    );
  }
}

/**
 * Flushes the whole filesystem holding `path` (syncfs): one call makes every file of a fresh copy durable,
 * far cheaper than an fsync per file.
 */
export async function syncFilesystem(path: string): Promise<void> {
  const result = await execa("sync", ["-f", "--", path], { reject: false });
  if (result.exitCode !== 0)
    throw new CcciError("DEPLOY_FAILED", `sync -f ${path} failed: ${String(result.stderr)}`);
}

/** Copies the root directory's mode, owner and exact mtime onto `target` (an overlay's upper root). */
export async function copyRootAttributes(source: string, target: string): Promise<void> {
  const stat = await lstat(source);
  await lchown(target, stat.uid, stat.gid); // before chmod: a chown clears set-id bits
  await chmod(target, stat.mode & 0o7777);
  // touch, not utimes: Node passes times as float seconds, which loses the nanoseconds.
  const result = await execa("touch", ["--no-dereference", `--reference=${source}`, "--", target], {
    reject: false,
  });
  if (result.exitCode !== 0)
    throw new CcciError("DEPLOY_FAILED", `touch --reference=${source} ${target}: ${String(result.stderr)}`);
}
