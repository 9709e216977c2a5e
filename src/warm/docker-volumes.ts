import { execa } from "execa";
import { z } from "zod";
import { byStack } from "../deploy/stack-label.js";
import { CcciError } from "../errors.js";

/** The few Docker volume operations the snapshot store needs, each a `docker` call with an argument array. */

const volumeInspectSchema = z.array(
  z.object({
    Name: z.string(),
    Driver: z.string(),
    Mountpoint: z.string(),
    Options: z.record(z.string(), z.string()).nullable(),
    Labels: z.record(z.string(), z.string()).nullable(),
  }),
);

export interface VolumeInfo {
  name: string;
  driver: string;
  mountpoint: string;
  options: Record<string, string>;
  labels: Record<string, string>;
}

export interface OverlayDirs {
  lower: string;
  upper: string;
  work: string;
}

async function docker(bin: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const result = await execa(bin, args, { reject: false });
  if (result.failed && result.exitCode === undefined) {
    throw new CcciError("DRIVER_UNAVAILABLE", `cannot run ${bin}: ${result.shortMessage}`);
  }
  return { ok: result.exitCode === 0, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export async function inspectVolume(bin: string, name: string): Promise<VolumeInfo | null> {
  const result = await docker(bin, ["volume", "inspect", name]);
  if (!result.ok) {
    if (/no such volume/i.test(result.stderr)) return null;
    throw new CcciError("DEPLOY_FAILED", `docker volume inspect ${name}: ${result.stderr.trim()}`);
  }
  const [info] = volumeInspectSchema.parse(JSON.parse(result.stdout));
  if (!info) return null;
  return {
    name: info.Name,
    driver: info.Driver,
    mountpoint: info.Mountpoint,
    options: info.Options ?? {},
    labels: info.Labels ?? {},
  };
}

/** Volumes of a stack by abra's naming (`<stack>_<vol>`), sorted. */
export async function listStackVolumes(bin: string, stack: string): Promise<string[]> {
  const result = await docker(bin, ["volume", "ls", "-q", "--filter", `name=${stack}_`]);
  if (!result.ok) throw new CcciError("DEPLOY_FAILED", `docker volume ls: ${result.stderr.trim()}`);
  return result.stdout
    .split("\n")
    .filter((name) => name.startsWith(`${stack}_`))
    .sort();
}

export async function removeVolume(bin: string, name: string): Promise<void> {
  const result = await docker(bin, ["volume", "rm", name]);
  if (!result.ok && !/no such volume/i.test(result.stderr)) {
    throw new CcciError("DEPLOY_FAILED", `docker volume rm ${name}: ${result.stderr.trim()}`);
  }
}

/**
 * `docker volume create --driver local` with mount options `opts` (each `--opt`) and `labels`. The paths
 * go into mount options, whose syntax has no escaping: a path holding `, : =` or spaces is refused.
 */
async function createLocalVolume(
  bin: string,
  name: string,
  mount: { kind: "overlay" | "bind"; paths: string[]; opts: string[] },
  labels: Record<string, string>,
): Promise<void> {
  for (const path of mount.paths) {
    if (/[,:=\s]/.test(path))
      throw new CcciError("CONFIG_INVALID", `${mount.kind} path must not contain , : = or spaces: ${path}`);
  }
  const optArgs = mount.opts.flatMap((opt) => ["--opt", opt]);
  const labelArgs = Object.entries(labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]);
  const result = await docker(bin, ["volume", "create", "--driver", "local", ...optArgs, ...labelArgs, name]);
  if (!result.ok)
    throw new CcciError("DEPLOY_FAILED", `docker volume create ${name}: ${result.stderr.trim()}`);
}

/** An overlay volume: `dirs.lower` read-only underneath, the app's writes in `dirs.upper`. */
export async function createOverlayVolume(
  bin: string,
  name: string,
  dirs: OverlayDirs,
  labels: Record<string, string>,
): Promise<void> {
  const o = `lowerdir=${dirs.lower},upperdir=${dirs.upper},workdir=${dirs.work}`;
  const opts = ["type=overlay", "device=overlay", `o=${o}`];
  await createLocalVolume(bin, name, { kind: "overlay", paths: Object.values(dirs), opts }, labels);
}

/**
 * A local volume bound to a directory (`type=none`, `o=bind`): what the app writes lands in `dir`.
 * The snapshot store stages a fresh deploy's volumes this way, inside a new generation of its own.
 */
export async function createBindVolume(
  bin: string,
  name: string,
  dir: string,
  labels: Record<string, string>,
): Promise<void> {
  const opts = ["type=none", "o=bind", `device=${dir}`];
  await createLocalVolume(bin, name, { kind: "bind", paths: [dir], opts }, labels);
}

/** The directory of a volume created by `createBindVolume`, or null for any other volume. */
export function bindDirOf(volume: VolumeInfo): string | null {
  const { type, o, device } = volume.options;
  if (volume.driver !== "local" || type !== "none" || !device) return null;
  return (o ?? "").split(",").includes("bind") ? device : null;
}

/** The overlay directories of a volume created by `createOverlayVolume`, or null for any other volume. */
export function overlayDirsOf(volume: VolumeInfo): OverlayDirs | null {
  if (volume.driver !== "local" || volume.options.type !== "overlay") return null;
  const parts = Object.fromEntries(
    (volume.options.o ?? "").split(",").map((kv) => kv.split("=", 2) as [string, string]),
  );
  const { lowerdir, upperdir, workdir } = parts;
  return lowerdir && upperdir && workdir ? { lower: lowerdir, upper: upperdir, work: workdir } : null;
}

/** Names every service and container (running or stopped) of the stack or holding one of its volumes. */
export async function findStackUsers(
  bin: string,
  stack: string,
  volumes: readonly string[],
): Promise<string[]> {
  const ofStack = byStack(stack);
  const filters = [ofStack, ...volumes.map((v) => ["--filter", `volume=${v}`])];
  const [services, ...containers] = await Promise.all([
    docker(bin, ["service", "ls", ...ofStack, "--format", "{{.Name}}"]),
    ...filters.map((filter) => docker(bin, ["ps", "-a", ...filter, "--format", "{{.Names}}"])),
  ]);
  const names = new Set<string>();
  for (const line of services.stdout.split("\n")) if (line) names.add(`service ${line}`);
  for (const result of containers)
    for (const line of result.stdout.split("\n")) if (line) names.add(`container ${line}`);
  return [...names].sort();
}
