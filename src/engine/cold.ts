import { join } from "node:path";
import { CcciError } from "../errors.js";
import { type FetchedRecipe, fetchRecipe } from "../recipe/fetch.js";
import { readRecipeMetadata } from "../recipe/metadata.js";
import { coldDomain, stackName, validateRecipeName } from "../recipe/naming.js";
import type { OverlayDeclaration } from "../recipe/overlays.js";
import { type PlanInput, planApp, type RecipeInfo } from "../recipe/plan.js";
import { backupServices } from "./backup/backup-targets.js";
import { backupTier, restoreTier } from "./backup/backup-tiers.js";
import { type BaseChoice, chooseBase } from "./base-version.js";
import { conclude } from "./conclude.js";
import { type RunContext, step, throwIfCancelled } from "./context.js";
import { runCustomTier } from "./custom-tier.js";
import { overlayInput, overlayTier } from "./overlay-tier.js";
import { prepareSso } from "./sso-step.js";
import { teardown } from "./teardown.js";
import { finishSettle, installTier, skipTier, upgradeTier } from "./tier-run.js";
import { allTiers } from "./tiers.js";

/** Hooks a run may take from outside the engine (the warm layer supplies the canonical's commit). */
export interface ColdHooks {
  canonicalCommit?: (recipe: string) => Promise<string | undefined>;
}

const short = (sha: string | null) => (sha ? sha.slice(0, 12) : "the working tree");

async function fetchHead(ctx: RunContext): Promise<FetchedRecipe> {
  const { run } = ctx;
  validateRecipeName(run.recipe);
  const head = await step(
    ctx,
    "fetch",
    () => fetchRecipe(run.request.source, run.request.ref, join(ctx.runDir, "head"), ctx.signal),
    (f) => (f.sha ? `checked out ${short(f.sha)}` : "copied the directory as it is"),
  );
  run.sha = head.sha;
  run.domain = coldDomain(run.recipe, ctx.settings.CCCI_DOMAIN);
  run.stack = stackName(run.domain);
  await ctx.journal.append({
    type: "run",
    runId: run.id,
    recipe: run.recipe,
    mode: run.mode,
    stack: run.stack,
    origin: run.request.origin,
  });
  return head;
}

function plan(
  ctx: RunContext,
  fetched: FetchedRecipe,
  label: string,
  overlay?: { declaration: OverlayDeclaration; baseEnv: Record<string, string> },
): Promise<RecipeInfo> {
  const base: PlanInput = {
    recipe: ctx.run.recipe,
    checkoutDir: fetched.dir,
    sha: fetched.sha,
    domain: ctx.run.domain!,
    server: ctx.settings.CCCI_SERVER,
    runDir: ctx.runDir,
    policy: ctx.policy,
  };
  const input = overlay ? overlayInput(base, overlay.baseEnv, overlay.declaration) : base;
  return step(
    ctx,
    `plan ${label}`,
    async () => planApp(input),
    (info) =>
      `${info.plan.domain}: ${info.compose.services.size} services, ${info.plan.secrets.length} secrets`,
  );
}

async function pickBase(ctx: RunContext, head: FetchedRecipe, hooks: ColdHooks): Promise<BaseChoice> {
  const tiers = ctx.run.request.tiers ?? allTiers;
  if (!tiers.includes("upgrade")) return { kind: "none", reason: "not requested (--tiers)" };
  const canonicalCommit = await hooks.canonicalCommit?.(ctx.run.recipe);
  const { source } = ctx.run.request;
  return chooseBase(head.sha ? head.dir : undefined, head.sha, {
    canonicalCommit,
    targetBranch: ctx.run.request.targetBranch,
    upstreamOnly: source.kind === "git" && source.headUrl !== undefined,
  });
}

/**
 * backup and restore, where the recipe declares backupbot labels: copy what backupbot would, wipe the
 * app, put the copy back and prove every file came back. The tier before must have settled first (the
 * wipe replaces its containers).
 */
async function backupAndRestore(ctx: RunContext, info: RecipeInfo, upToHere: boolean): Promise<boolean> {
  const tiers = ctx.run.request.tiers ?? allTiers;
  const skipBoth = (reason: string) => {
    skipTier(ctx, "backup", reason);
    skipTier(ctx, "restore", reason);
    return true;
  };
  if (backupServices(info.compose).length === 0)
    return skipBoth("the recipe declares no backupbot.backup labels");
  if (!tiers.includes("backup")) return skipBoth("not requested (--tiers)");
  if (!upToHere || !(await finishSettle(ctx))) return skipBoth("skipped: an earlier tier failed");
  const backup = await backupTier(ctx, info);
  if (!backup) {
    skipTier(ctx, "restore", "skipped: the backup tier failed");
    return false;
  }
  if (!tiers.includes("restore")) {
    skipTier(ctx, "restore", "not requested (--tiers)");
    return true;
  }
  return restoreTier(ctx, info, backup);
}

/** The tiers on one deployment: install (base) → upgrade (head) → backup/restore → custom. */
async function runTiers(
  ctx: RunContext,
  head: FetchedRecipe,
  hooks: ColdHooks,
  deployed: { plan?: RecipeInfo["plan"] },
): Promise<void> {
  const tiers = ctx.run.request.tiers ?? allTiers;
  const base = await pickBase(ctx, head, hooks);
  const baseCheckout =
    base.kind === "base"
      ? await step(
          ctx,
          "fetch base",
          () => fetchRecipe({ kind: "dir", path: head.dir }, base.sha, join(ctx.runDir, "base"), ctx.signal),
          () => base.label,
        )
      : head;
  const installInfo = await plan(ctx, baseCheckout, base.kind === "base" ? "base" : "head");
  const headInfo = base.kind === "base" ? await plan(ctx, head, "head") : installInfo;
  const overlays = await planOverlays(ctx, head, headInfo);
  deployed.plan = installInfo.plan;
  ctx.sso = await prepareSso(ctx, head.dir, [
    ...new Set([installInfo.plan, headInfo.plan, ...overlays.map((o) => o.info.plan)]),
  ]);
  throwIfCancelled(ctx);
  const installed = await installTier(
    ctx,
    installInfo,
    base.kind === "base" ? `the base (${base.label})` : `the head (${short(head.sha)})`,
  );
  if (installed) await runCustomTier(ctx, headInfo, "after-install");
  let upgraded = installed;
  if (base.kind === "none") skipTier(ctx, "upgrade", `skipped: ${base.reason}; installed the head directly`);
  // The base's settle window must have held before it is upgraded.
  else if (!installed || !(await finishSettle(ctx)))
    skipTier(ctx, "upgrade", "skipped: the install tier failed");
  else upgraded = await upgradeTier(ctx, headInfo);
  const restored = await backupAndRestore(ctx, headInfo, upgraded);
  if (!tiers.includes("custom")) skipTier(ctx, "custom", "not requested (--tiers)");
  else if (!upgraded || !restored) skipTier(ctx, "custom", "skipped: an earlier tier failed");
  else await runCustomTier(ctx, headInfo);
  await finishSettle(ctx);
  await runOverlayTiers(ctx, overlays);
}

interface PlannedOverlay {
  name: string;
  info: RecipeInfo;
}

/** The optional COMPOSE_FILE combinations of ccci.yml, planned up front (a bad one fails before any deploy). */
async function planOverlays(
  ctx: RunContext,
  head: FetchedRecipe,
  headInfo: RecipeInfo,
): Promise<PlannedOverlay[]> {
  // `--tiers` limits a run to the named main tiers; overlay tiers come with the full set.
  const limited = ctx.run.request.tiers && allTiers.some((t) => !ctx.run.request.tiers!.includes(t));
  if (limited) return [];
  const declared = readRecipeMetadata(head.dir).overlays ?? [];
  const planned: PlannedOverlay[] = [];
  for (const declaration of declared) {
    const overlay = { declaration, baseEnv: headInfo.plan.env };
    planned.push({
      name: declaration.name,
      info: await plan(ctx, head, `overlay ${declaration.name}`, overlay),
    });
  }
  return planned;
}

/** Each overlay is its own tier, after the main tiers passed; one failing does not skip the next. */
async function runOverlayTiers(ctx: RunContext, overlays: PlannedOverlay[]): Promise<void> {
  const failed = ctx.run.tiers.some((t) => t.status === "failed");
  for (const overlay of overlays) {
    throwIfCancelled(ctx);
    // abra takes COMPOSE_FILE from its own env file of the app, which ccci does not rewrite (yet).
    if (ctx.deployer.driver === "abra")
      skipTier(ctx, `overlay:${overlay.name}`, "skipped: overlay tiers need the swarm driver");
    else if (failed) skipTier(ctx, `overlay:${overlay.name}`, "skipped: an earlier tier failed");
    else await overlayTier(ctx, overlay.name, overlay.info);
  }
}

/** A cold run: fresh app at a unique domain, the tiers on one deployment, teardown always. */
export async function runCold(ctx: RunContext, hooks: ColdHooks = {}): Promise<void> {
  const deployed: { plan?: RecipeInfo["plan"] } = {};
  let failure: unknown;
  try {
    const head = await fetchHead(ctx);
    throwIfCancelled(ctx);
    await runTiers(ctx, head, hooks, deployed);
  } catch (error) {
    failure = error;
  }
  if (ctx.signal.aborted && !failure)
    failure = new CcciError("CANCELLED", String(ctx.signal.reason ?? "cancelled"));
  const outcome = await step(
    ctx,
    "teardown",
    () => teardown(ctx, deployed.plan, ctx.run.stack),
    (o) =>
      o.leaks ? `leaked: ${o.leaks}` : o.errors.length > 0 ? `clean, after: ${o.errors.join("; ")}` : "clean",
  );
  if (outcome.leaks) ctx.run.steps.at(-1)!.status = "failed";
  conclude(ctx, failure, outcome.leaks);
}
