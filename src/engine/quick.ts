import { rm } from "node:fs/promises";
import { join } from "node:path";
import { canonicalLeaks, listStackResources } from "../deploy/stack-resources.js";
import { undeployStack } from "../deploy/swarm-remove.js";
import { CcciError, describeError } from "../errors.js";
import { fetchRecipe } from "../recipe/fetch.js";
import { validateRecipeName } from "../recipe/naming.js";
import { planApp, type RecipeInfo } from "../recipe/plan.js";
import type { WarmCanonical, WarmLayer } from "../warm/warm-layer.js";
import { conclude } from "./conclude.js";
import { type RunContext, step, throwIfCancelled } from "./context.js";
import { runCustomTier } from "./custom-tier.js";
import { finishSettle, installTier, skipTier, upgradeTier } from "./tier-run.js";

function plan(
  ctx: RunContext,
  warm: WarmCanonical,
  dir: string,
  sha: string | null,
  label: string,
): Promise<RecipeInfo> {
  const input = {
    recipe: warm.recipe,
    checkoutDir: dir,
    sha,
    domain: warm.domain,
    server: ctx.settings.CCCI_SERVER,
    runDir: ctx.runDir,
    policy: ctx.policy,
  };
  return step(
    ctx,
    `plan ${label}`,
    async () => planApp(input),
    (info) => `${info.plan.domain}: ${info.compose.services.size} services`,
  );
}

/** reattach the known-good (on the last-known-good data) → upgrade to the PR head → custom asserts. */
async function quickTiers(ctx: RunContext, warm: WarmCanonical): Promise<void> {
  // A passing quick run leaves its changes in the scratch layer: start again from the last-known-good,
  // while the checkouts are fetched and the app is created. The reattach deploy waits for it.
  const restored = step(
    ctx,
    "restore last-known-good",
    () => warm.store.restore(),
    (m) => `volumes = snapshot ${m.id}`,
  );
  try {
    await reattachAndUpgrade(ctx, warm, restored);
  } finally {
    // Never leave a restore running behind the teardown (which may restore again).
    await restored.catch(() => undefined);
  }
}

async function reattachAndUpgrade(
  ctx: RunContext,
  warm: WarmCanonical,
  restored: Promise<unknown>,
): Promise<void> {
  const { run } = ctx;
  const head = await step(
    ctx,
    "fetch",
    () => fetchRecipe(run.request.source, run.request.ref, join(ctx.runDir, "head"), ctx.signal),
    (f) => `checked out ${f.sha?.slice(0, 12) ?? "the working tree"}`,
  );
  run.sha = head.sha;
  const goodCommit = warm.canonical.knownGood.commit;
  const good = await step(
    ctx,
    "fetch known-good",
    () =>
      fetchRecipe(
        { kind: "git", url: warm.enrolled.repo },
        goodCommit,
        join(ctx.runDir, "known-good"),
        ctx.signal,
      ),
    () => `known-good ${goodCommit.slice(0, 12)}`,
  );
  throwIfCancelled(ctx);
  const goodInfo = await plan(ctx, warm, good.dir, good.sha, "known-good");
  const reattached = await installTier(
    ctx,
    goodInfo,
    `the known-good ${goodCommit.slice(0, 12)} on the canonical's data`,
    "reattach",
    async () => {
      await restored;
    },
  );
  const headInfo = await plan(ctx, warm, head.dir, head.sha, "head");
  if (!reattached)
    skipTier(ctx, "upgrade", "skipped: the known-good did not come up on the canonical's data");
  else if (!head.sha) skipTier(ctx, "upgrade", "skipped: the head is not a git commit");
  const upgraded = reattached && head.sha ? await upgradeTier(ctx, headInfo) : false;
  if (upgraded) await runCustomTier(ctx, headInfo);
  else skipTier(ctx, "custom", "skipped: an earlier tier failed");
  await finishSettle(ctx);
}

/** Undeploy (volumes kept), and on failure put the last-known-good back; then check nothing else is left. */
async function quickTeardown(ctx: RunContext, warm: WarmCanonical, failed: boolean): Promise<string> {
  if (failed) warm.store.verifyAhead(); // while the stack goes away
  await undeployStack(ctx.docker, warm.stack);
  if (failed) {
    const started = Date.now();
    const manifest = await warm.store.restore();
    const states = await warm.store.volumeStates();
    const notPristine = Object.entries(states).filter(([, state]) => state !== "pristine");
    ctx.run.tiers.push({
      name: "rollback",
      status: notPristine.length === 0 ? "passed" : "failed",
      durationMs: Date.now() - started,
      detail:
        notPristine.length === 0
          ? `restored snapshot ${manifest.id}; every volume equals the last-known-good`
          : `volumes differ from the snapshot: ${notPristine.map(([v, s]) => `${v} ${s}`).join(", ")}`,
    });
  }
  await rm(ctx.runDir, { recursive: true, force: true });
  const left = await listStackResources(ctx.docker, warm.stack);
  return canonicalLeaks(left);
}

/**
 * A quick run against the recipe's warm canonical. It never promotes; its check is advisory. On any
 * failure (asserts, timeout, a crashed step, cancel) the canonical's volumes go back to the snapshot.
 */
export async function runQuickOnCanonical(ctx: RunContext, warm: WarmCanonical): Promise<void> {
  validateRecipeName(ctx.run.recipe);
  ctx.run.domain = warm.domain;
  ctx.run.stack = warm.stack;
  await ctx.journal.append({
    type: "run",
    runId: ctx.run.id,
    recipe: ctx.run.recipe,
    mode: "quick",
    stack: warm.stack,
    origin: ctx.run.request.origin,
  });
  let failure: unknown;
  try {
    await quickTiers(ctx, warm);
  } catch (error) {
    failure = error;
  }
  if (ctx.signal.aborted && !failure)
    failure = new CcciError("CANCELLED", String(ctx.signal.reason ?? "cancelled"));
  const failed = Boolean(failure) || ctx.run.tiers.some((t) => t.status === "failed");
  let leaks = "";
  await step(
    ctx,
    "teardown",
    async () => {
      leaks = await quickTeardown(ctx, warm, failed).catch(
        (error) => `teardown failed: ${describeError(error)}`,
      );
    },
    () =>
      leaks ? `left: ${leaks}` : failed ? "undeployed; last-known-good restored" : "undeployed; volumes kept",
  );
  conclude(ctx, failure, leaks);
}

/** `--quick`: the canonical when there is one, else the configured fallback (cold, or decline). */
export async function runQuick(
  ctx: RunContext,
  warm: WarmLayer,
  runCold: () => Promise<void>,
): Promise<void> {
  const found = await warm.canonical(ctx.run.recipe);
  if (!("missing" in found)) return runQuickOnCanonical(ctx, found);
  if (ctx.settings.CCCI_QUICK_FALLBACK === "decline") {
    ctx.run.notes.push(`quick requested, ${found.missing}: declined (CCCI_QUICK_FALLBACK=decline)`);
    ctx.run.state = "cancelled";
    ctx.run.reason = `quick declined: ${found.missing}`;
    return;
  }
  ctx.run.notes.push(`quick requested, ${found.missing}: ran cold instead`);
  await runCold();
}
