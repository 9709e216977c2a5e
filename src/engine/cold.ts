import { join } from "node:path";
import { CcciError } from "../errors.js";
import { type FetchedRecipe, fetchRecipe } from "../recipe/fetch.js";
import { coldDomain, stackName, validateRecipeName } from "../recipe/naming.js";
import { planApp, type RecipeInfo } from "../recipe/plan.js";
import { type BaseChoice, chooseBase } from "./base-version.js";
import { conclude } from "./conclude.js";
import { type RunContext, step, throwIfCancelled } from "./context.js";
import { runCustomTier } from "./custom-tier.js";
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

function plan(ctx: RunContext, fetched: FetchedRecipe, label: string): Promise<RecipeInfo> {
  const input = {
    recipe: ctx.run.recipe,
    checkoutDir: fetched.dir,
    sha: fetched.sha,
    domain: ctx.run.domain!,
    server: ctx.settings.CCCI_SERVER,
    runDir: ctx.runDir,
    policy: ctx.policy,
  };
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

function skipBackupTiers(ctx: RunContext, info: RecipeInfo): void {
  const labelled = [...info.compose.services.values()].some((s) => s.labels["backupbot.backup"] === "true");
  const reason = labelled
    ? "the recipe has backupbot.backup labels, but this host has no backup tooling (backup-bot-two)"
    : "the recipe declares no backupbot.backup labels";
  skipTier(ctx, "backup", reason);
  skipTier(ctx, "restore", reason);
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
  deployed.plan = installInfo.plan;
  ctx.sso = await prepareSso(ctx, head.dir, [...new Set([installInfo.plan, headInfo.plan])]);
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
  skipBackupTiers(ctx, headInfo);
  if (!tiers.includes("custom")) skipTier(ctx, "custom", "not requested (--tiers)");
  else if (!upgraded) skipTier(ctx, "custom", "skipped: an earlier tier failed");
  else await runCustomTier(ctx, headInfo);
  await finishSettle(ctx);
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
