import type { Settings } from "../config.js";
import type { DeployContext, Deployer, Resource } from "../deploy/deployer.js";
import type { DockerCli } from "../deploy/docker.js";
import { CcciError } from "../errors.js";
import type { Logger } from "../log.js";
import type { RecipePolicy } from "../recipe/policy-allow.js";
import type { Redactor } from "../redact.js";
import type { PreparedSso } from "../sso/provider.js";
import type { PendingSettle } from "./converge.js";
import type { RunJournal } from "./journal.js";
import type { Run, Step, TierResult } from "./run.js";

/** What one run's lifecycle works with. Built by the engine, one per run. */
export interface RunContext {
  run: Run;
  settings: Settings;
  log: Logger;
  docker: DockerCli;
  deployer: Deployer;
  redactor: Redactor;
  journal: RunJournal;
  signal: AbortSignal;
  /** Publishes a snapshot of the run to the engine's listeners. */
  notify(): void;
  /** The compose policy for the run's recipe (caps, the operator's exceptions); strict when absent. */
  policy?: RecipePolicy;
  /** The run's SSO realm, when the recipe declares one; removed at teardown. */
  sso?: PreparedSso;
  /** Directory private to the run (checkout, env file, abra dir); removed at teardown. */
  runDir: string;
  /** The settle window of the version under test, still to hold once its asserts have run. */
  pendingSettle?: { tier: TierResult["name"]; stack: string; settle: PendingSettle };
}

export function deployContext(ctx: RunContext): DeployContext {
  return {
    log: ctx.log,
    redactor: ctx.redactor,
    signal: ctx.signal,
    record: (resource: Resource) => ctx.journal.append({ type: "resource", resource }),
  };
}

/** Runs `fn` as a named step of the run, recording status and duration; rethrows failures. */
export async function step<T>(
  ctx: RunContext,
  name: string,
  fn: () => Promise<T>,
  describe?: (value: T) => string,
): Promise<T> {
  const entry: Step = { name, status: "running", startedAt: new Date().toISOString() };
  ctx.run.steps.push(entry);
  ctx.notify();
  const started = Date.now();
  try {
    const value = await fn();
    entry.status = "passed";
    if (describe) entry.detail = describe(value);
    return value;
  } catch (error) {
    entry.status = "failed";
    entry.detail = ctx.redactor.redact(error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    entry.durationMs = Date.now() - started;
    ctx.notify();
  }
}

export function throwIfCancelled(ctx: RunContext): void {
  if (ctx.signal.aborted) throw new CcciError("CANCELLED", String(ctx.signal.reason ?? "cancelled"));
}

export function skipStep(ctx: RunContext, name: string, reason: string): void {
  ctx.run.steps.push({ name, status: "skipped", detail: reason, durationMs: 0 });
  ctx.notify();
}
