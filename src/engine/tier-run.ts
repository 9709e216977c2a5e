import type { RecipeInfo } from "../recipe/plan.js";
import { runGenericAsserts } from "./asserts/generic.js";
import { logExcerpt } from "./asserts/logs.js";
import { deployContext, type RunContext, step, throwIfCancelled } from "./context.js";
import { holdSettle, stackReplicas, waitForConvergence } from "./converge.js";
import { proveMoved } from "./moved-proof.js";
import { prepullImages } from "./prepull.js";
import type { AssertResult, TierResult } from "./run.js";

/** Records a tier row and its asserts; a tier passes when every one of its asserts passed. */
export function recordTier(
  ctx: RunContext,
  name: TierResult["name"],
  started: number,
  asserts: AssertResult[],
  detail: string,
): boolean {
  const tagged = asserts.map((a) => ({ ...a, tier: name }));
  ctx.run.asserts.push(...tagged);
  const failed = tagged.filter((a) => !a.passed);
  ctx.run.tiers.push({
    name,
    status: failed.length === 0 ? "passed" : "failed",
    durationMs: Date.now() - started,
    detail: failed.length === 0 ? detail : `${detail}; failed: ${failed.map((a) => a.name).join(", ")}`,
  });
  ctx.notify();
  return failed.length === 0;
}

export function skipTier(ctx: RunContext, name: TierResult["name"], reason: string): void {
  ctx.run.tiers.push({ name, status: "skipped", durationMs: 0, detail: reason });
  ctx.notify();
}

/** Waits for convergence, then runs the generic asserts; keeps the failing services' logs. */
export async function convergeAndAssert(
  ctx: RunContext,
  info: RecipeInfo,
  tier: TierResult["name"],
): Promise<AssertResult[]> {
  const timeoutSeconds = ctx.run.request.timeoutSeconds ?? info.timeoutSeconds ?? ctx.settings.CCCI_TIMEOUT;
  // The settle window watches the version under test for a crash loop after its first healthy moment.
  // A reattach brings back the known-good on the very data it was proven healthy on at promotion.
  const settleMs = tier === "reattach" ? 0 : ctx.settings.CCCI_SETTLE_SECONDS * 1000;
  ctx.pendingSettle = undefined;
  const convergence = await step(
    ctx,
    `${tier}: converge`,
    () =>
      waitForConvergence(ctx.docker, info.plan.stack, timeoutSeconds * 1000, ctx.signal, {
        settleMs,
        // The known-good may go on to the upgrade once it answers its healthcheck: its tasks need not
        // wait for Docker's first scheduled check. The version under test always does.
        acceptProbed: tier === "reattach",
        // The asserts that follow run inside the settle window; `finishSettle` holds the rest of it.
        deferSettle: true,
      }),
    (c) =>
      c.converged ? `converged in ${Math.round(c.waitedMs / 1000)} s` : `timed out after ${timeoutSeconds} s`,
  );
  throwIfCancelled(ctx);
  // Only a tier with a settle window (not a reattach) leaves one to hold.
  if (convergence.settle) ctx.pendingSettle = { tier, stack: info.plan.stack, settle: convergence.settle };
  if (!convergence.converged) {
    ctx.run.steps.at(-1)!.status = "failed";
    ctx.run.errorCode = "TIMEOUT";
  }
  const generic = await step(ctx, `${tier}: generic asserts`, () =>
    runGenericAsserts(ctx, info, convergence),
  );
  if (generic.failingServices.length > 0)
    ctx.run.logExcerpt = await logExcerpt(ctx.docker, generic.failingServices, ctx.redactor);
  return generic.asserts;
}

/**
 * The rest of the settle window of the version just tested, once its asserts have run (they run inside
 * the window): its containers must stay the same, every service N/N, until SETTLE after they first were
 * all healthy. A failure fails that tier with `generic:settled`. Nothing to do after a failed tier.
 */
export async function finishSettle(ctx: RunContext, ownTierOnly = false): Promise<boolean> {
  const pending = ctx.pendingSettle;
  ctx.pendingSettle = undefined;
  if (!pending) return true;
  // An overlay tier has its own verdict: only its own failure makes its settle window moot.
  const moot = ownTierOnly
    ? ctx.run.tiers.findLast((t) => t.name === pending.tier)?.status === "failed"
    : ctx.run.tiers.some((t) => t.status === "failed");
  if (moot) return false;
  const settleMs = ctx.settings.CCCI_SETTLE_SECONDS * 1000;
  const started = Date.now();
  const problem = await step(
    ctx,
    `${pending.tier}: settle`,
    () => holdSettle(ctx.docker, pending.stack, pending.settle, settleMs, ctx.signal),
    (p) => p ?? `the same containers ran for ${settleMs / 1000} s after all were healthy`,
  );
  throwIfCancelled(ctx);
  const settled: AssertResult = {
    name: "generic:settled",
    kind: "generic",
    tier: pending.tier,
    passed: problem === undefined,
    durationMs: Date.now() - started,
    detail: problem ?? `no container restarted within ${settleMs / 1000} s of being healthy`,
  };
  const after = ctx.run.asserts.findLastIndex((a) => a.tier === pending.tier);
  ctx.run.asserts.splice(after + 1, 0, settled);
  if (problem) {
    ctx.run.steps.at(-1)!.status = "failed";
    const tier = ctx.run.tiers.findLast((t) => t.name === pending.tier);
    if (tier) {
      tier.status = "failed";
      tier.detail = `${tier.detail}; failed: generic:settled`;
    }
    const services = (await stackReplicas(ctx.docker, pending.stack)).map((s) => s.service);
    ctx.run.logExcerpt ??= await logExcerpt(ctx.docker, services, ctx.redactor);
  }
  ctx.notify();
  return problem === undefined;
}

/**
 * install (cold) or reattach (quick): create the app (env file, missing secrets) and deploy its first
 * version, then the generic asserts. `beforeDeploy` runs right before the deploy (a quick run restores
 * the canonical's volumes there, so that their verification overlaps the steps before).
 */
export async function installTier(
  ctx: RunContext,
  info: RecipeInfo,
  what: string,
  tier: "install" | "reattach" = "install",
  beforeDeploy?: () => Promise<void>,
): Promise<boolean> {
  const started = Date.now();
  const dctx = deployContext(ctx);
  const secrets = `env file and ${info.plan.secrets.length} secrets`;
  await step(
    ctx,
    `${tier}: create`,
    () => ctx.deployer.create(info.plan, dctx),
    () => secrets,
  );
  throwIfCancelled(ctx);
  await step(
    ctx,
    `${tier}: pull images`,
    () => prepullImages(ctx, info),
    (p) => (p.length > 0 ? `pulled ${p.join(", ")}` : "all images present"),
  );
  await beforeDeploy?.();
  throwIfCancelled(ctx);
  const deployed = `${ctx.deployer.driver} deploy of ${what}`;
  await step(
    ctx,
    `${tier}: deploy`,
    () => ctx.deployer.deploy(info.plan, dctx),
    () => deployed,
  );
  throwIfCancelled(ctx);
  return recordTier(ctx, tier, started, await convergeAndAssert(ctx, info, tier), `deployed ${what}`);
}

/** upgrade: move the same app (same volumes) to the head, the generic asserts again, and proof it moved. */
export async function upgradeTier(ctx: RunContext, head: RecipeInfo): Promise<boolean> {
  const started = Date.now();
  const sha = head.plan.sha!;
  await step(
    ctx,
    "upgrade: pull images",
    () => prepullImages(ctx, head),
    (p) => (p.length > 0 ? `pulled ${p.join(", ")}` : "all images present"),
  );
  await step(
    ctx,
    "upgrade: deploy",
    () => ctx.deployer.upgrade(head.plan, deployContext(ctx)),
    () => `upgraded to ${sha.slice(0, 12)}`,
  );
  throwIfCancelled(ctx);
  const asserts = await convergeAndAssert(ctx, head, "upgrade");
  const proofStarted = Date.now();
  const proof = await proveMoved(ctx.docker, head.plan.stack, sha);
  asserts.push({
    name: "generic:moved",
    kind: "generic",
    passed: proof.passed,
    durationMs: Date.now() - proofStarted,
    detail: proof.detail,
  });
  return recordTier(ctx, "upgrade", started, asserts, `upgraded to the head ${sha.slice(0, 12)}`);
}
