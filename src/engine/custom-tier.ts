import type { RecipeInfo } from "../recipe/plan.js";
import { containerOf } from "./asserts/containers.js";
import { customAssertEnvironment, listCustomAsserts, runCustomAssert } from "./asserts/custom.js";
import { type RunContext, throwIfCancelled } from "./context.js";
import { ssoAssertEnv } from "./sso-step.js";
import { recordTier, skipTier } from "./tier-run.js";

/**
 * The recipe's own asserts (tests/ccci/*), or with `subdir` a hook such as after-install/ whose results
 * count for the install tier.
 */
export async function runCustomTier(ctx: RunContext, info: RecipeInfo, subdir = ""): Promise<void> {
  const names = await listCustomAsserts(info.plan.checkoutDir, subdir);
  if (names.length === 0)
    return subdir ? undefined : skipTier(ctx, "custom", "the recipe has no tests/ccci/ asserts");
  const started = Date.now();
  const appService =
    info.http?.service ?? (info.compose.services.has("app") ? "app" : [...info.compose.services.keys()][0]!);
  const env = {
    ...ssoAssertEnv(ctx.sso),
    ...customAssertEnvironment({
      runId: ctx.run.id,
      recipe: ctx.run.recipe,
      recipeDir: info.plan.checkoutDir,
      domain: info.plan.domain,
      stack: info.plan.stack,
      services: [...info.compose.services.keys()],
      appService,
      appContainer: await containerOf(ctx.docker, info.plan.stack, appService),
      httpPort: info.http?.port,
    }),
  };
  const results = [];
  for (const name of names) {
    throwIfCancelled(ctx);
    results.push(
      await runCustomAssert(
        info.plan.checkoutDir,
        name,
        env,
        ctx.settings.CCCI_ASSERT_TIMEOUT * 1000,
        ctx.redactor,
        ctx.signal,
      ),
    );
  }
  if (subdir) ctx.run.asserts.push(...results.map((r) => ({ ...r, tier: "install" })));
  else recordTier(ctx, "custom", started, results, `${names.length} custom asserts`);
}
