import { byStack } from "../deploy/stack-label.js";
import { interpolateLookup } from "../recipe/interpolate.js";
import type { OverlayDeclaration } from "../recipe/overlays.js";
import type { PlanInput, RecipeInfo } from "../recipe/plan.js";
import { deployContext, type RunContext, step, throwIfCancelled } from "./context.js";
import { convergeAndAssert, finishSettle, recordTier, skipTier } from "./tier-run.js";

/**
 * The plan input of an overlay combination: the head's, with the overlay's COMPOSE_FILE (which may say
 * `$COMPOSE_FILE` for the app's own) and env laid over `.env.sample`.
 */
export function overlayInput(
  base: PlanInput,
  baseEnv: Record<string, string>,
  overlay: OverlayDeclaration,
): PlanInput {
  const composeFile = interpolateLookup(overlay.composeFile, (name) => baseEnv[name]);
  return { ...base, envOverrides: { ...overlay.env, COMPOSE_FILE: composeFile } };
}

/** `docker stack deploy` never removes a service a new combination lacks: ccci does, as a fresh deploy would not have it. */
async function removeServicesNotIn(ctx: RunContext, info: RecipeInfo): Promise<string[]> {
  const stack = info.plan.stack;
  const wanted = new Set([...info.compose.services.keys()].map((s) => `${stack}_${s}`));
  const running = await ctx.docker.lines(["service", "ls", ...byStack(stack), "--format", "{{.Name}}"]);
  const extra = running.filter((name) => !wanted.has(name));
  if (extra.length > 0) await ctx.docker.removeAll("service", extra);
  return extra;
}

/**
 * One optional overlay combination as its own tier: the same app (same volumes) redeployed with that
 * COMPOSE_FILE, then the generic asserts and the settle window. Its verdict is its own: a failed overlay
 * does not stop the next one.
 */
export async function overlayTier(ctx: RunContext, name: string, info: RecipeInfo): Promise<boolean> {
  const tier = `overlay:${name}` as const;
  const started = Date.now();
  const files = info.plan.composeFiles.join(":");
  try {
    await step(
      ctx,
      `${tier}: deploy`,
      async () => {
        const removed = await removeServicesNotIn(ctx, info);
        await ctx.deployer.upgrade(info.plan, deployContext(ctx));
        return removed;
      },
      (removed) => `COMPOSE_FILE=${files}${removed.length > 0 ? `; removed ${removed.join(", ")}` : ""}`,
    );
  } catch (error) {
    throwIfCancelled(ctx);
    skipTier(ctx, tier, `failed: ${(error as Error).message}`);
    ctx.run.tiers.at(-1)!.status = "failed";
    return false;
  }
  throwIfCancelled(ctx);
  const passed = recordTier(
    ctx,
    tier,
    started,
    await convergeAndAssert(ctx, info, tier),
    `deployed COMPOSE_FILE=${files}`,
  );
  return passed && (await finishSettle(ctx, true));
}
