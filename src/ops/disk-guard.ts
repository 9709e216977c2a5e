import type { DockerCli } from "../deploy/docker.js";
import { CcciError, describeError } from "../errors.js";
import type { Logger } from "../log.js";
import { type PruneRecord, pruneDocker, pruneFinishedRunDirs } from "./disk-prune.js";
import { dockerDataRoot, type FreeSpaceReader, readFreeSpace } from "./disk-space.js";
import { type DiskThreshold, describeThreshold, formatBytes, thresholdBytes } from "./disk-threshold.js";

export type DiskRole = "docker data root" | "state dir";
export type DiskLevel = "ok" | "soft" | "hard";

/** One filesystem; the docker data root and the state dir often share one, and then it is listed once. */
export interface DiskStatus {
  roles: DiskRole[];
  path: string;
  freeBytes: number;
  totalBytes: number;
  softBytes: number;
  hardBytes: number;
  level: DiskLevel;
}

export interface DiskReport {
  at: string;
  /** After pruning, when pruning happened. */
  disks: DiskStatus[];
  pruned: PruneRecord[];
  /** Disks that could not be measured (docker unreachable …): reported, never a reason to refuse. */
  errors: string[];
}

export interface DiskGuardOptions {
  docker: DockerCli;
  stateDir: string;
  soft: DiskThreshold;
  hard: DiskThreshold;
  log: Logger;
  freeSpace?: FreeSpaceReader;
  /** Skips `docker info` (tests, or a host whose engine reports a path this process cannot see). */
  dockerRoot?: string;
  /** `--filter` values for the docker prunes; default `until=1h` (see DockerPruneOptions). */
  pruneFilters?: string[];
}

export interface DiskGuard {
  /** Measures only; never prunes (`ccci disk`, the status page). */
  measure(): Promise<DiskReport>;
  /** Measures, prunes what is safe on any disk below the soft threshold, measures again. */
  check(): Promise<DiskReport>;
  /** `check()`, then refuses (CcciError DISK_FULL) when a disk is still below the hard threshold. */
  ensureRoomForRun(): Promise<DiskReport>;
}

function levelOf(free: number, soft: number, hard: number): DiskLevel {
  return free < hard ? "hard" : free < soft ? "soft" : "ok";
}

function describeDisk(disk: DiskStatus, options: DiskGuardOptions): string {
  return (
    `${disk.path} (${disk.roles.join(", ")}) has ${formatBytes(disk.freeBytes)} free of ` +
    `${formatBytes(disk.totalBytes)}, below the hard threshold of ${describeThreshold(options.hard, disk.totalBytes)}`
  );
}

export function diskFullMessage(report: DiskReport, options: DiskGuardOptions): string {
  const full = report.disks.filter((d) => d.level === "hard").map((d) => describeDisk(d, options));
  const pruned = report.pruned.map((p) => p.what).join(", ");
  return (
    `not enough free disk space to start a run: ${full.join("; ")}` +
    `${pruned ? ` (after pruning ${pruned})` : ""}. Free space on that disk, or lower CCCI_DISK_HARD.`
  );
}

/** Watches the docker data root and the state dir; prunes below `soft`, refuses runs below `hard`. */
export function createDiskGuard(options: DiskGuardOptions): DiskGuard {
  const freeSpace = options.freeSpace ?? readFreeSpace;
  const pruneFilters = options.pruneFilters ?? ["until=1h"];
  let dockerRoot: Promise<string> | undefined = options.dockerRoot
    ? Promise.resolve(options.dockerRoot)
    : undefined;
  let inFlight: Promise<DiskReport> | undefined;

  async function measure(): Promise<DiskReport> {
    const errors: string[] = [];
    const paths: Array<[DiskRole, string]> = [["state dir", options.stateDir]];
    try {
      dockerRoot ??= dockerDataRoot(options.docker);
      paths.unshift(["docker data root", await dockerRoot]);
    } catch (error) {
      dockerRoot = undefined; // ask again next time: docker may be back
      errors.push(`docker data root: ${describeError(error)}`);
    }
    const byDevice = new Map<string, DiskStatus>();
    for (const [role, path] of paths) {
      try {
        const { device, ...space } = await freeSpace(path);
        const known = byDevice.get(device);
        if (known) {
          known.roles.push(role);
          continue;
        }
        const softBytes = thresholdBytes(options.soft, space.totalBytes);
        const hardBytes = thresholdBytes(options.hard, space.totalBytes);
        const level = levelOf(space.freeBytes, softBytes, hardBytes);
        byDevice.set(device, { roles: [role], path, ...space, softBytes, hardBytes, level });
      } catch (error) {
        errors.push(`${role} ${path}: ${describeError(error)}`);
      }
    }
    return { at: new Date().toISOString(), disks: [...byDevice.values()], pruned: [], errors };
  }

  async function prune(low: DiskStatus[]): Promise<PruneRecord[]> {
    const roles = new Set(low.flatMap((disk) => disk.roles));
    const records: PruneRecord[] = [];
    if (roles.has("docker data root"))
      records.push(...(await pruneDocker(options.docker, { filters: pruneFilters })));
    if (roles.has("state dir")) records.push(await pruneFinishedRunDirs(options.stateDir));
    return records;
  }

  async function checkOnce(): Promise<DiskReport> {
    const first = await measure();
    const low = first.disks.filter((disk) => disk.level !== "ok");
    if (low.length === 0) return first;
    options.log.warn({ disks: low }, "disk below the soft threshold: pruning");
    const pruned = await prune(low);
    const after = await measure();
    const report = { ...after, pruned };
    options.log.info({ pruned, disks: after.disks }, "disk pruned");
    return report;
  }

  async function check(): Promise<DiskReport> {
    // Runs starting together share one measurement and one prune instead of racing each other.
    inFlight ??= checkOnce().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  async function ensureRoomForRun(): Promise<DiskReport> {
    const report = await check();
    if (report.disks.some((disk) => disk.level === "hard")) {
      const message = diskFullMessage(report, options);
      options.log.error({ disks: report.disks }, message);
      throw new CcciError("DISK_FULL", message);
    }
    return report;
  }

  return { measure, check, ensureRoomForRun };
}
