import { stat, statfs } from "node:fs/promises";
import { dirname } from "node:path";
import type { DockerCli } from "../deploy/docker.js";

/** What a filesystem has left, as an unprivileged process may use it. */
export interface FreeSpace {
  freeBytes: number;
  totalBytes: number;
  /** The filesystem's device id: two paths on one device are one disk. */
  device: string;
}

export type FreeSpaceReader = (path: string) => Promise<FreeSpace>;

/** The nearest existing ancestor of `path` (the state dir may not exist yet on a fresh host). */
async function existingAncestor(path: string): Promise<string> {
  let current = path;
  for (;;) {
    try {
      await stat(current);
      return current;
    } catch (error) {
      const parent = dirname(current);
      if (parent === current) throw error;
      current = parent;
    }
  }
}

/** statfs(2): `bavail` (blocks free to non-root) is what a run can actually write. */
export const readFreeSpace: FreeSpaceReader = async (path) => {
  const existing = await existingAncestor(path);
  const [fs, info] = await Promise.all([statfs(existing), stat(existing)]);
  return {
    freeBytes: fs.bavail * fs.bsize,
    totalBytes: fs.blocks * fs.bsize,
    device: String(info.dev),
  };
};

/** Where the Docker engine keeps images, containers and volumes (`/var/lib/docker` by default). */
export async function dockerDataRoot(docker: DockerCli): Promise<string> {
  const root = (await docker.output(["info", "--format", "{{.DockerRootDir}}"])).trim();
  if (!root.startsWith("/"))
    throw new Error(`docker info reported no data root (got ${JSON.stringify(root)})`);
  return root;
}
