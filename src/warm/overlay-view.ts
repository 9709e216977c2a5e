import { randomBytes } from "node:crypto";
import { mkdir, readFile, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { CcciError } from "../errors.js";
import { bindDirOf, overlayDirsOf, type VolumeInfo } from "./docker-volumes.js";

/** Mount points currently visible to this process (from /proc/self/mountinfo, octal escapes decoded). */
export async function mountPoints(): Promise<Set<string>> {
  const text = await readFile("/proc/self/mountinfo", "utf8");
  const points = text
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => Boolean(p))
    .map((p) =>
      p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8))),
    );
  return new Set(points);
}

/**
 * Runs `use` on the merged (what the app sees) view of a volume:
 * - a plain local volume: its mountpoint; a bind volume (staged by the store): its directory;
 * - an overlay volume that Docker has mounted (a container uses it): its mountpoint, the kernel's merge;
 * - an overlay volume not mounted: a private read-only overlay `lowerdir=<upper>:<lower>` made under
 *   `scratchDir`, so the kernel applies the scratch layer's whiteouts and opaque dirs exactly as the app
 *   would see them (no merge logic of our own to get wrong).
 */
export async function withMergedView<T>(
  volume: VolumeInfo,
  scratchDir: string,
  use: (dir: string) => Promise<T>,
): Promise<T> {
  const overlay = overlayDirsOf(volume);
  const bound = bindDirOf(volume);
  if (bound) return use(bound);
  if (volume.driver !== "local" || (Object.keys(volume.options).length > 0 && !overlay)) {
    throw new CcciError(
      "SNAPSHOT_REFUSED",
      `volume ${volume.name} uses driver ${volume.driver} with options ${JSON.stringify(volume.options)}; ` +
        "only plain local volumes and ccci's overlay volumes can be snapshotted",
    );
  }
  if (!overlay || (await mountPoints()).has(volume.mountpoint)) return use(volume.mountpoint);
  const target = join(scratchDir, `mnt-${randomBytes(4).toString("hex")}`);
  await mkdir(target, { recursive: true });
  try {
    await mountReadOnlyOverlay([overlay.upper, overlay.lower], target);
    try {
      return await use(target);
    } finally {
      await execa("umount", [target]);
    }
  } finally {
    await rmdir(target).catch(() => undefined);
  }
}

export async function mountReadOnlyOverlay(layersTopFirst: string[], target: string): Promise<void> {
  const result = await execa(
    "mount",
    ["-t", "overlay", "overlay", "-o", `ro,lowerdir=${layersTopFirst.join(":")}`, target],
    {
      reject: false,
    },
  );
  if (result.exitCode !== 0) {
    throw new CcciError(
      "SNAPSHOT_CORRUPT",
      `cannot mount overlay view ${layersTopFirst.join(":")}: ${result.stderr}`,
    );
  }
}

/** Unmounts leftovers of a killed process (`mnt-*` under `dir`) so they can be removed safely. */
export async function unmountLeftovers(dir: string): Promise<string[]> {
  const leftovers = [...(await mountPoints())].filter(
    (p) => p.startsWith(`${dir}/`) && /\/mnt-[0-9a-f]+$/.test(p),
  );
  for (const point of leftovers) await execa("umount", [point], { reject: false });
  return leftovers;
}
