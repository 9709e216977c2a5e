import { parseArgs } from "node:util";
import { loadSettings } from "../config.js";
import { DockerCli } from "../deploy/docker.js";
import { UserError } from "../errors.js";
import { createLogger } from "../log.js";
import { createDiskGuard, type DiskReport } from "../ops/disk-guard.js";
import { formatBytes } from "../ops/disk-threshold.js";

export const diskUsage = `usage: ccci disk [--prune] [--json]

Shows the free space of the Docker data root and the state dir against CCCI_DISK_SOFT and CCCI_DISK_HARD.
--prune also prunes what is safe on a disk below the soft threshold (stopped containers, dangling images,
build cache, run dirs of finished runs; never volumes, snapshots or tagged images), as a run would.
Exit code 0 when runs may start, 1 when a disk is below the hard threshold, 2 on bad usage.`;

function parseDiskArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        prune: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    throw new UserError("USAGE", `${(error as Error).message}\n${diskUsage}`);
  }
}

export function renderDiskReport(report: DiskReport): string {
  const lines = report.disks.map(
    (d) =>
      `${d.level.toUpperCase().padEnd(4)}  ${d.path} (${d.roles.join(", ")}): ${formatBytes(d.freeBytes)} free ` +
      `of ${formatBytes(d.totalBytes)}; prune below ${formatBytes(d.softBytes)}, refuse runs below ` +
      `${formatBytes(d.hardBytes)}`,
  );
  for (const p of report.pruned) {
    const reclaimed = p.reclaimed ? `, reclaimed ${p.reclaimed}` : "";
    lines.push(
      `pruned ${p.what}: ${p.removed.length} removed${reclaimed}${p.error ? ` (error: ${p.error})` : ""}`,
    );
  }
  for (const error of report.errors) lines.push(`not measured: ${error}`);
  return lines.join("\n");
}

/** `ccci disk`: the disk guard's view, for an operator or a systemd timer (`--prune`). */
export async function diskCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const values = parseDiskArgs(argv);
  if (values.help) {
    console.log(diskUsage);
    return 0;
  }
  const settings = loadSettings(env);
  const disk = loadSettings(env);
  const guard = createDiskGuard({
    docker: new DockerCli(settings.CCCI_DOCKER_BIN, settings.CCCI_DOCKER_TIMEOUT * 1000),
    stateDir: settings.CCCI_STATE_DIR,
    soft: disk.CCCI_DISK_SOFT,
    hard: disk.CCCI_DISK_HARD,
    log: createLogger(env.LOG_LEVEL ?? "warn"),
  });
  const report = values.prune ? await guard.check() : await guard.measure();
  console.log(values.json ? JSON.stringify(report, null, 2) : renderDiskReport(report));
  return report.disks.some((d) => d.level === "hard") ? 1 : 0;
}
