import { rm } from "node:fs/promises";
import type { AppPlan } from "../deploy/deployer.js";
import { countResources, describeResources, listStackResources } from "../deploy/stack-resources.js";
import { removeStack } from "../deploy/swarm-remove.js";
import { describeError } from "../errors.js";
import type { RunContext } from "./context.js";

export interface TeardownOutcome {
  /** Empty when the closure check found nothing of the run left. */
  leaks: string;
  errors: string[];
}

/**
 * Teardown is sacred: it runs after every run (pass, fail, timeout, cancel, crash of a step), is not
 * stopped by the run's cancel signal, and ends with a closure check of everything named after the stack.
 * The driver removes what it made; then a driver-independent sweep removes anything named after the
 * stack that is still there, so a driver bug cannot leak resources.
 */
export async function teardown(
  ctx: RunContext,
  app: AppPlan | undefined,
  stack: string | undefined,
): Promise<TeardownOutcome> {
  const errors: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      errors.push(`${what}: ${describeError(error)}`);
      ctx.log.warn({ err: error, what }, "teardown step failed; continuing");
    }
  };
  const noSignal = { log: ctx.log, redactor: ctx.redactor, record: async () => {} };
  // A cold app's data is thrown away: remove the stack at once rather than waiting for a graceful
  // undeploy, then let the driver remove what it made (abra: its own removal commands and env file).
  if (stack) await attempt("remove stack", () => removeStack(ctx.docker, stack));
  if (app) await attempt("destroy", () => ctx.deployer.destroy(app, noSignal));
  // The realm goes even when everything else failed; what cannot be deleted now the reaper removes later.
  if (ctx.sso) await attempt("sso realm", () => ctx.sso!.cleanup());
  let leaks = "";
  if (stack) {
    await attempt("sweep", () => removeStack(ctx.docker, stack));
    try {
      const left = await listStackResources(ctx.docker, stack);
      if (countResources(left) > 0) leaks = describeResources(left);
    } catch (error) {
      // A closure check that could not look is not a clean one: the run fails with the reason.
      leaks = `unknown, the closure check could not run (${describeError(error)})`;
      ctx.log.warn({ err: error }, "closure check could not run");
    }
  }
  await attempt("run dir", () => rm(ctx.runDir, { recursive: true, force: true }));
  return { leaks, errors };
}
