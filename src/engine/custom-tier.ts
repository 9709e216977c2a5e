import type { RecipeInfo } from "../recipe/plan.js";
import { containerOf } from "./asserts/containers.js";
import { customAssertEnvironment, listCustomAsserts, runCustomAssert } from "./asserts/custom.js";
import { keepWithinRunBudget } from "./asserts/output-budget.js";
import { sandboxNetwork } from "./asserts/sandbox.js";
import { type RunContext, throwIfCancelled } from "./context.js";
import type { AssertResult } from "./run.js";
import { ssoAssertEnv } from "./sso-step.js";
import { recordTier, skipTier } from "./tier-run.js";

/**
 * The recipe's own asserts (tests/ccci/*), or with `subdir` a hook such as after-install/ whose results
 * count for the install tier. Each runs in its own sandbox (docs/custom-asserts.md).
 */
export async function runCustomTier(ctx: RunContext, info: RecipeInfo, subdir = ""): Promise<void> {
  const names = await listCustomAsserts(info.plan.checkoutDir, subdir);
  if (names.length === 0)
    return subdir ? undefined : skipTier(ctx, "custom", "the recipe has no tests/ccci/ asserts");
  const started = Date.now();
  const services = [...info.compose.services.keys()];
  const appService = info.http?.service ?? (services.includes("app") ? "app" : services[0]!);
  const { settings } = ctx;
  const results: AssertResult[] = [];
  for (const name of names) {
    throwIfCancelled(ctx);
    // Looked up per assert: an earlier assert may have made the app restart.
    const appContainer = await containerOf(ctx.docker, info.plan.stack, appService);
    const network = await sandboxNetwork(ctx.docker, info.plan.stack, appContainer);
    const env = {
      ...ssoAssertEnv(ctx.sso),
      ...customAssertEnvironment({
        runId: ctx.run.id,
        recipe: ctx.run.recipe,
        domain: info.plan.domain,
        stack: info.plan.stack,
        services,
        appService,
        httpPort: info.http?.port,
        sharesAppNetwork: network !== "none",
      }),
    };
    const run = {
      docker: ctx.docker,
      log: ctx.log,
      runId: ctx.run.id,
      stack: info.plan.stack,
      services,
      image: settings.CCCI_ASSERT_IMAGE,
      memoryMb: settings.CCCI_ASSERT_MEMORY_MB,
      network,
      env,
      timeoutMs: settings.CCCI_ASSERT_TIMEOUT * 1000,
      maxOutputBytes: settings.CCCI_ASSERT_OUTPUT_KIB * 1024,
      signal: ctx.signal,
    };
    const result = await runCustomAssert(info.plan.checkoutDir, name, run, ctx.redactor);
    const used = [...ctx.run.asserts, ...results];
    results.push(keepWithinRunBudget(used, result, settings.CCCI_RUN_OUTPUT_KIB * 1024));
  }
  if (subdir) ctx.run.asserts.push(...results.map((r) => ({ ...r, tier: "install" })));
  else recordTier(ctx, "custom", started, results, `${names.length} custom asserts`);
}
