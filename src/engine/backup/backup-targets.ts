import { posix } from "node:path";
import type { DockerCli } from "../../deploy/docker.js";
import { UserError } from "../../errors.js";
import type { ComposeModel, ComposeService } from "../../recipe/compose.js";
import { containerOf } from "../asserts/containers.js";

/** What backupbot would copy from one service, and the hooks it would run there. */
export interface BackupTarget {
  service: string;
  container: string;
  /** Absolute paths inside the container. */
  paths: string[];
  /** The service's Docker volumes the backup covers: a restore starts from them wiped. */
  volumes: string[];
  hooks: { backupPre?: string; backupPost?: string; restorePre?: string; restorePost?: string };
}

/** Services with `backupbot.backup=true` (after interpolation: bonfire writes `${ENABLE_BACKUPS:-true}`). */
export const backupServices = (compose: ComposeModel): ComposeService[] =>
  [...compose.services.values()].filter((s) => s.labels["backupbot.backup"] === "true");

interface Mount {
  Type?: string;
  Name?: string;
  Destination?: string;
}

const list = (raw: string | undefined) =>
  (raw ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);

function inside(root: string, rel: string, label: string): string {
  if (rel.startsWith("/") || rel.split("/").includes(".."))
    throw new UserError(
      "RECIPE_INVALID",
      `label ${label}: ${JSON.stringify(rel)} must be a path inside the volume`,
    );
  return posix.join(root, rel);
}

/**
 * backup-bot-two's rules: every volume of a labelled service, except `backupbot.backup.volumes.<v>=false`,
 * limited to `backupbot.backup.volumes.<v>.path` (comma-separated, relative to the volume) when set. A
 * recipe of the first backupbot instead names container paths in `backupbot.backup.path`.
 */
export async function backupTargets(
  docker: DockerCli,
  stack: string,
  compose: ComposeModel,
): Promise<BackupTarget[]> {
  const targets: BackupTarget[] = [];
  for (const service of backupServices(compose)) {
    const container = await containerOf(docker, stack, service.name);
    if (!container) throw new Error(`no running container of ${service.name} to back up`);
    const [mountsJson = "[]"] = await docker.lines(["inspect", "--format", "{{json .Mounts}}", container]);
    const volumes = (JSON.parse(mountsJson) as Mount[]).filter(
      (m) => m.Type === "volume" && m.Name?.startsWith(`${stack}_`) && m.Destination,
    );
    const l = service.labels;
    const kept = volumes.filter(
      (m) => l[`backupbot.backup.volumes.${m.Name!.slice(stack.length + 1)}`] !== "false",
    );
    const legacy = list(l["backupbot.backup.path"]);
    const paths =
      legacy.length > 0
        ? legacy.map((p) => inside("/", p.replace(/^\/+/, ""), "backupbot.backup.path"))
        : kept.flatMap((m) => {
            const label = `backupbot.backup.volumes.${m.Name!.slice(stack.length + 1)}.path`;
            const rel = list(l[label]);
            return rel.length > 0 ? rel.map((r) => inside(m.Destination!, r, label)) : [m.Destination!];
          });
    targets.push({
      service: service.name,
      container,
      paths,
      volumes: kept.map((m) => m.Name!),
      hooks: {
        backupPre: l["backupbot.backup.pre-hook"],
        backupPost: l["backupbot.backup.post-hook"],
        restorePre: l["backupbot.restore.pre-hook"],
        restorePost: l["backupbot.restore.post-hook"],
      },
    });
  }
  return targets;
}
