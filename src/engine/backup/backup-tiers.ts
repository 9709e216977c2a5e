import { mkdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import type { RecipeInfo } from "../../recipe/plan.js";
import { containerOf } from "../asserts/containers.js";
import { deployContext, type RunContext, step, throwIfCancelled } from "../context.js";
import { waitForConvergence } from "../converge.js";
import type { AssertResult } from "../run.js";
import { convergeAndAssert, recordTier } from "../tier-run.js";
import { type BackupTarget, backupTargets } from "./backup-targets.js";
import { type ManifestEntry, manifestDifferences, tarManifest } from "./tar-manifest.js";

export interface BackupCopy {
  service: string;
  path: string;
  tar: string;
  manifest: ManifestEntry[];
}

export interface BackupResult {
  targets: BackupTarget[];
  copies: BackupCopy[];
}

const assert = (name: string, started: number, passed: boolean, detail: string): AssertResult => ({
  name,
  kind: "generic",
  passed,
  durationMs: Date.now() - started,
  detail,
});

/** Runs a backupbot hook in the container as backupbot does (`sh -c`); the error, if it failed. */
export async function runHook(ctx: RunContext, container: string, hook: string | undefined, what: string) {
  if (!hook) return undefined;
  const result = await ctx.docker.run(["exec", container, "sh", "-c", hook], {
    timeoutMs: ctx.settings.CCCI_BACKUP_HOOK_TIMEOUT * 1000,
    signal: ctx.signal,
  });
  if (result.exitCode === 0) return undefined;
  const output = ctx.redactor.redact((result.stderr || result.stdout).trim().split("\n").slice(-3).join(" "));
  return `${what} ${JSON.stringify(hook)} failed${result.interrupted ? " (timed out)" : ` (exit ${result.exitCode})`}: ${output}`;
}

/** Copies each target path out of its container into the run dir, as tar files with their manifests. */
async function copyOut(ctx: RunContext, targets: BackupTarget[], dir: string): Promise<BackupCopy[]> {
  mkdirSync(dir, { recursive: true });
  const copies: BackupCopy[] = [];
  for (const target of targets) {
    for (const [i, path] of target.paths.entries()) {
      const tar = join(dir, `${target.service}-${i}.tar`);
      const problem = await ctx.docker.copyOut(
        target.container,
        path,
        tar,
        ctx.signal,
        ctx.settings.CCCI_BACKUP_MAX_MIB * 1024 * 1024,
      );
      if (problem) throw new Error(`${target.service}:${path}: ${problem}`);
      copies.push({ service: target.service, path, tar, manifest: tarManifest(readFileSync(tar)) });
    }
  }
  return copies;
}

const describeCopies = (copies: BackupCopy[]) => {
  const files = copies.flatMap((c) => c.manifest.filter((e) => e.type === "file"));
  const bytes = files.reduce((sum, e) => sum + e.size, 0);
  return `${files.length} files (${bytes} bytes) from ${copies.map((c) => `${c.service}:${c.path}`).join(", ")}`;
};

/** backup: what backupbot would copy (pre-hooks, the labelled paths, post-hooks), kept in the run dir. */
export async function backupTier(ctx: RunContext, info: RecipeInfo): Promise<BackupResult | undefined> {
  const started = Date.now();
  try {
    const result = await step(
      ctx,
      "backup: copy",
      async () => {
        const targets = await backupTargets(ctx.docker, info.plan.stack, info.compose);
        for (const t of targets) {
          const failed = await runHook(ctx, t.container, t.hooks.backupPre, "backupbot.backup.pre-hook");
          if (failed) throw new Error(`${t.service}: ${failed}`);
        }
        const copies = await copyOut(ctx, targets, join(ctx.runDir, "backup"));
        for (const t of targets) {
          const failed = await runHook(ctx, t.container, t.hooks.backupPost, "backupbot.backup.post-hook");
          if (failed) throw new Error(`${t.service}: ${failed}`);
        }
        return { targets, copies };
      },
      (r) => describeCopies(r.copies),
    );
    recordTier(
      ctx,
      "backup",
      started,
      [assert("generic:backup", started, true, `backed up ${describeCopies(result.copies)}`)],
      "copied what backupbot would",
    );
    return result;
  } catch (error) {
    throwIfCancelled(ctx);
    const detail = ctx.redactor.redact((error as Error).message);
    recordTier(ctx, "backup", started, [assert("generic:backup", started, false, detail)], "backup failed");
    return undefined;
  }
}

/** Undeploys the app, removes the backed-up volumes and deploys it again: the data is gone. */
async function wipe(ctx: RunContext, info: RecipeInfo, backup: BackupResult): Promise<void> {
  const dctx = deployContext(ctx);
  await ctx.deployer.undeploy(info.plan, dctx);
  const volumes = [...new Set(backup.targets.flatMap((t) => t.volumes))];
  const left = await ctx.docker.removeAll("volume", volumes);
  if (left.length > 0) throw new Error(`could not remove ${left.join(", ")} for the restore`);
  await ctx.deployer.deploy(info.plan, dctx);
  const timeout = (ctx.run.request.timeoutSeconds ?? info.timeoutSeconds ?? ctx.settings.CCCI_TIMEOUT) * 1000;
  const fresh = await waitForConvergence(ctx.docker, info.plan.stack, timeout, ctx.signal, { settleMs: 0 });
  if (!fresh.converged) throw new Error("the wiped app did not come up again to restore into");
}

/** Copies every backup back into the fresh app's containers, with backupbot's restore hooks around it. */
async function restoreCopies(ctx: RunContext, info: RecipeInfo, backup: BackupResult): Promise<string[]> {
  const restored: string[] = [];
  for (const target of backup.targets) {
    const container = await containerOf(ctx.docker, info.plan.stack, target.service);
    if (!container) throw new Error(`no running container of ${target.service} to restore into`);
    const pre = await runHook(ctx, container, target.hooks.restorePre, "backupbot.restore.pre-hook");
    if (pre) throw new Error(`${target.service}: ${pre}`);
    for (const copy of backup.copies.filter((c) => c.service === target.service)) {
      const problem = await ctx.docker.copyIn(copy.tar, container, posix.dirname(copy.path), ctx.signal);
      if (problem) throw new Error(`${target.service}:${copy.path}: ${problem}`);
    }
    const post = await runHook(ctx, container, target.hooks.restorePost, "backupbot.restore.post-hook");
    if (post) throw new Error(`${target.service}: ${post}`);
    restored.push(container);
  }
  return restored;
}

/** Copies the same paths out again and compares them with the backup, file by file. */
async function verify(ctx: RunContext, info: RecipeInfo, backup: BackupResult): Promise<string[]> {
  const targets: BackupTarget[] = [];
  for (const t of backup.targets) {
    const container = await containerOf(ctx.docker, info.plan.stack, t.service);
    if (!container) return [`${t.service}: no running container after the restore`];
    targets.push({ ...t, container });
  }
  const after = await copyOut(ctx, targets, join(ctx.runDir, "backup-check"));
  return backup.copies.flatMap((copy, i) =>
    manifestDifferences(copy.manifest, after[i]?.manifest ?? []).map(
      (p) => `${copy.service}:${posix.dirname(copy.path)}/${p}`,
    ),
  );
}

/**
 * restore: wipe the app (undeploy, remove its backed-up volumes, deploy it fresh), put the backup back
 * as backupbot would, then prove every backed-up file came back unchanged (`generic:restored`) and the
 * app is up on it (the generic asserts).
 */
export async function restoreTier(ctx: RunContext, info: RecipeInfo, backup: BackupResult): Promise<boolean> {
  const started = Date.now();
  let restored: AssertResult;
  try {
    await step(
      ctx,
      "restore: wipe",
      () => wipe(ctx, info, backup),
      () => "undeployed, volumes removed, deployed fresh",
    );
    throwIfCancelled(ctx);
    await step(
      ctx,
      "restore: copy back",
      () => restoreCopies(ctx, info, backup),
      (c) => `into ${c.length} containers`,
    );
    const differences = await verify(ctx, info, backup);
    restored = assert(
      "generic:restored",
      started,
      differences.length === 0,
      differences.length === 0
        ? `every backed-up file came back unchanged: ${describeCopies(backup.copies)}`
        : `not restored: ${differences.slice(0, 5).join(", ")}${differences.length > 5 ? ` (+${differences.length - 5})` : ""}`,
    );
  } catch (error) {
    throwIfCancelled(ctx);
    restored = assert("generic:restored", started, false, ctx.redactor.redact((error as Error).message));
    return recordTier(ctx, "restore", started, [restored], "restore failed");
  }
  const generic = await convergeAndAssert(ctx, info, "restore");
  return recordTier(ctx, "restore", started, [restored, ...generic], "wiped, restored from the backup");
}
