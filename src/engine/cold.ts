import { join } from "node:path";
import { CcciError, describeError, isUserError } from "../errors.js";
import { fetchRecipe } from "../recipe/fetch.js";
import { coldDomain, stackName, validateRecipeName } from "../recipe/naming.js";
import { planApp, type RecipeInfo } from "../recipe/plan.js";
import { containerOf } from "./asserts/containers.js";
import { customAssertEnvironment, listCustomAsserts, runCustomAssert } from "./asserts/custom.js";
import { runGenericAsserts } from "./asserts/generic.js";
import { logExcerpt } from "./asserts/logs.js";
import { deployContext, type RunContext, skipStep, step } from "./context.js";
import { waitForConvergence } from "./converge.js";
import { teardown } from "./teardown.js";

function throwIfCancelled(ctx: RunContext): void {
  if (ctx.signal.aborted) throw new CcciError("CANCELLED", String(ctx.signal.reason ?? "cancelled"));
}

async function prepare(ctx: RunContext): Promise<RecipeInfo> {
  const { run } = ctx;
  validateRecipeName(run.recipe);
  const fetched = await step(
    ctx,
    "fetch",
    () => fetchRecipe(run.request.source, run.request.ref, join(ctx.runDir, "recipe"), ctx.signal),
    (f) => (f.sha ? `checked out ${f.sha.slice(0, 12)}` : "copied the directory as it is"),
  );
  run.sha = fetched.sha;
  run.domain = coldDomain(run.recipe, ctx.settings.CCCI_DOMAIN);
  run.stack = stackName(run.domain);
  await ctx.journal.append({
    type: "run",
    runId: run.id,
    recipe: run.recipe,
    mode: run.mode,
    stack: run.stack,
  });
  return step(
    ctx,
    "plan",
    async () =>
      planApp({
        recipe: run.recipe,
        checkoutDir: fetched.dir,
        sha: fetched.sha,
        domain: run.domain!,
        server: ctx.settings.CCCI_SERVER,
        runDir: ctx.runDir,
      }),
    (info) =>
      `${info.plan.domain}: ${info.compose.services.size} services, ${info.plan.secrets.length} secrets`,
  );
}

async function deployAndConverge(ctx: RunContext, info: RecipeInfo) {
  const dctx = deployContext(ctx);
  await step(
    ctx,
    "create",
    () => ctx.deployer.create(info.plan, dctx),
    () => `env file and ${info.plan.secrets.length} secrets`,
  );
  throwIfCancelled(ctx);
  await step(
    ctx,
    "deploy",
    () => ctx.deployer.deploy(info.plan, dctx),
    () => `${ctx.deployer.driver} deploy of ${info.plan.stack}`,
  );
  throwIfCancelled(ctx);
  const timeoutSeconds = ctx.run.request.timeoutSeconds ?? info.timeoutSeconds ?? ctx.settings.CCCI_TIMEOUT;
  const convergence = await step(
    ctx,
    "converge",
    () =>
      waitForConvergence(
        ctx.docker,
        info.plan.stack,
        timeoutSeconds * 1000,
        ctx.signal,
        1_000,
        ctx.settings.CCCI_SETTLE_SECONDS * 1000,
      ),
    (c) =>
      c.converged ? `converged in ${Math.round(c.waitedMs / 1000)} s` : `timed out after ${timeoutSeconds} s`,
  );
  throwIfCancelled(ctx);
  if (!convergence.converged) {
    const last = ctx.run.steps.at(-1)!;
    last.status = "failed";
    ctx.run.errorCode = "TIMEOUT";
  }
  return convergence;
}

async function runAsserts(
  ctx: RunContext,
  info: RecipeInfo,
  converged: Awaited<ReturnType<typeof deployAndConverge>>,
) {
  const generic = await step(ctx, "generic asserts", () => runGenericAsserts(ctx, info, converged));
  ctx.run.asserts.push(...generic.asserts);
  ctx.notify();
  if (generic.failingServices.length > 0)
    ctx.run.logExcerpt = await logExcerpt(ctx.docker, generic.failingServices, ctx.redactor);
  const customs = await listCustomAsserts(info.plan.checkoutDir);
  if (customs.length === 0) return skipStep(ctx, "custom asserts", "the recipe has no tests/ccci/ asserts");
  if (generic.asserts.some((a) => !a.passed))
    return skipStep(ctx, "custom asserts", "skipped: generic asserts failed");
  await step(ctx, "custom asserts", async () => {
    const appService =
      info.http?.service ??
      (info.compose.services.has("app") ? "app" : [...info.compose.services.keys()][0]!);
    const env = customAssertEnvironment({
      runId: ctx.run.id,
      recipe: ctx.run.recipe,
      recipeDir: info.plan.checkoutDir,
      domain: info.plan.domain,
      stack: info.plan.stack,
      services: [...info.compose.services.keys()],
      appService,
      appContainer: await containerOf(ctx.docker, info.plan.stack, appService),
      httpPort: info.http?.port,
    });
    for (const name of customs) {
      throwIfCancelled(ctx);
      ctx.run.asserts.push(
        await runCustomAssert(
          info.plan.checkoutDir,
          name,
          env,
          ctx.settings.CCCI_ASSERT_TIMEOUT * 1000,
          ctx.redactor,
          ctx.signal,
        ),
      );
      ctx.notify();
    }
  });
}

function conclude(ctx: RunContext, error: unknown, leaks: string): void {
  const { run } = ctx;
  if (error) {
    const cancelled = error instanceof CcciError && error.code === "CANCELLED";
    run.state = cancelled ? "cancelled" : isUserError(error) ? "errored" : "errored";
    run.userError = isUserError(error);
    run.errorCode = error instanceof CcciError ? error.code : "DEPLOY_FAILED";
    run.reason = ctx.redactor.redact(describeError(error));
  } else {
    const failed = run.asserts.filter((a) => !a.passed);
    run.state = failed.length === 0 ? "passed" : "failed";
    if (failed.length > 0) run.reason = `failed: ${failed.map((a) => a.name).join(", ")}`;
  }
  if (leaks) {
    run.state = run.state === "cancelled" ? run.state : "failed";
    run.errorCode = "LEAK";
    run.reason = `${run.reason ? `${run.reason}; ` : ""}closure check: left after teardown: ${leaks}`;
  }
}

/** A cold run: fresh app at a unique domain, deploy, generic + custom asserts, teardown always. */
export async function runCold(ctx: RunContext): Promise<void> {
  let info: RecipeInfo | undefined;
  let failure: unknown;
  try {
    info = await prepare(ctx);
    throwIfCancelled(ctx);
    const convergence = await deployAndConverge(ctx, info);
    await runAsserts(ctx, info, convergence);
  } catch (error) {
    failure = error;
  }
  if (ctx.signal.aborted && !failure)
    failure = new CcciError("CANCELLED", String(ctx.signal.reason ?? "cancelled"));
  const outcome = await step(
    ctx,
    "teardown",
    () => teardown(ctx, info?.plan, ctx.run.stack),
    (o) =>
      o.leaks ? `leaked: ${o.leaks}` : o.errors.length > 0 ? `clean, after: ${o.errors.join("; ")}` : "clean",
  );
  if (outcome.leaks) ctx.run.steps.at(-1)!.status = "failed";
  conclude(ctx, failure, outcome.leaks);
}
