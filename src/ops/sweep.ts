import type { Settings } from "../config.js";
import { DockerCli } from "../deploy/docker.js";
import { describeResources } from "../deploy/stack-resources.js";
import type { EngineApi } from "../engine/api.js";
import type { Run } from "../engine/run.js";
import { describeError, UserError } from "../errors.js";
import type { Logger } from "../log.js";
import { randomHex } from "../recipe/naming.js";
import type { WarmLayer } from "../warm/warm-layer.js";
import { type ClosureReport, checkClosure } from "./closure.js";
import { canaryRequest, defaultCanary } from "./sweep-canary.js";
import { peakConcurrency, planSweep, type SweepPlan } from "./sweep-plan.js";
import { judgeSweep, type SweepFacts, type SweepReport } from "./sweep-report.js";
import { runBounded, sweptRecipe, targetRequest } from "./sweep-runs.js";
import type { SweepSettings } from "./sweep-settings.js";
import { readLastSweep, writeLastSweep } from "./sweep-store.js";

/** What the sweep needs of the engine: submitting runs and reading the enrolment. */
export interface SweepEngine extends Pick<EngineApi, "submit"> {
  warm: Pick<WarmLayer, "enrolment" | "enrolmentPath">;
}

export interface SweepOptions {
  engine: SweepEngine;
  /** The sweep settings are optional until src/config.ts carries them (defaults: 50, bundled canary). */
  settings: Pick<Settings, "CCCI_STATE_DIR" | "CCCI_MAX_TESTS" | "CCCI_DOMAIN" | "CCCI_DOCKER_BIN"> &
    Partial<SweepSettings>;
  log: Logger;
  /** Most recipes this sweep tests; default CCCI_SWEEP_MAX. */
  limit?: number;
  /** The canary (directory or git URL); default CCCI_SWEEP_CANARY, else the bundled one. */
  canary?: string;
  /** Stops submitting further runs (runs already submitted finish, or are cancelled by the engine). */
  signal?: AbortSignal;
  /** The closure check; injectable for unit tests. Default: checkClosure on the real Docker. */
  closure?: () => Promise<ClosureReport>;
}

const DEFAULT_SWEEP_MAX = 50;

function newSweepId(at: Date): string {
  return `sweep-${at.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${randomHex(4)}`;
}

async function previouslyLeftOut(stateDir: string, log: Logger): Promise<string[]> {
  try {
    const last = await readLastSweep(stateDir);
    return last ? [...last.notRun, ...last.leftOut] : [];
  } catch (error) {
    log.warn({ err: error }, "cannot read the last sweep report; planning without it");
    return [];
  }
}

async function closureFacts(options: SweepOptions): Promise<SweepFacts["closure"]> {
  const { settings } = options;
  const check =
    options.closure ??
    (() =>
      checkClosure({
        docker: new DockerCli(settings.CCCI_DOCKER_BIN),
        stateDir: settings.CCCI_STATE_DIR,
        baseDomain: settings.CCCI_DOMAIN,
      }));
  try {
    const report = await check();
    const leaks = [...report.leaks, ...report.orphans].map((leak) => ({
      stack: leak.stack,
      ...(leak.runId ? { runId: leak.runId } : {}),
      detail: [describeResources(leak.resources), leak.files.length ? `files: ${leak.files.join(", ")}` : ""]
        .filter(Boolean)
        .join("; "),
    }));
    return { checked: true, finishedRuns: report.finishedRuns, leaks };
  } catch (error) {
    return { checked: false, finishedRuns: 0, leaks: [], error: describeError(error) };
  }
}

/**
 * The nightly full-cold sweep (WC6): a cold run of every enrolled recipe at its default-branch head,
 * promoting canonicals on green, plus a canary that must fail; then the closure check. Persists the
 * report as `<state>/sweeps/last.json` and returns it. An empty or unreadable enrolment is recorded as a
 * BROKEN sweep and thrown (UserError): a sweep over nothing must never look green.
 */
export async function runSweep(options: SweepOptions): Promise<SweepReport> {
  const { engine, settings } = options;
  const started = new Date();
  const facts = initialFacts(options, started);
  const log = options.log.child({ sweep: facts.id });
  let plan: SweepPlan;
  try {
    const enrolment = await engine.warm.enrolment();
    facts.enrolment = enrolment.source;
    plan = planSweep(enrolment, facts.limit, await previouslyLeftOut(settings.CCCI_STATE_DIR, log));
  } catch (error) {
    const report = await finish({ ...facts, error: describeError(error) }, started, options, log);
    throw error instanceof UserError ? error : new UserError("ENROLMENT_INVALID", report.error!);
  }
  facts.leftOut = plan.leftOut;
  log.info({ recipes: plan.targets.map((t) => t.recipe), leftOut: plan.leftOut }, "sweep started");
  const canarySpec =
    options.canary ?? settings.CCCI_SWEEP_CANARY ?? (await defaultCanary(settings.CCCI_STATE_DIR));
  // The canary goes first, so a harness that cannot see red is known even if the sweep is cut short.
  const requests = [
    canaryRequest(canarySpec, facts.id),
    ...plan.targets.map((target) => targetRequest(target, facts.id)),
  ];
  const runs = await runBounded(engine, requests, settings.CCCI_MAX_TESTS, options.signal);
  const canary = runs.find((run) => run.request.origin?.canary === true);
  facts.canary = canary ? sweptRecipe(canary) : null;
  facts.recipes = byRecipe(runs.filter((run) => run !== canary)).map(sweptRecipe);
  const ran = new Set(facts.recipes.map((r) => r.recipe));
  facts.notRun = plan.targets.map((t) => t.recipe).filter((recipe) => !ran.has(recipe));
  facts.peakConcurrent = peakConcurrency(runs);
  facts.closure = await closureFacts(options);
  return finish(facts, started, options, log);
}

/** The facts of a sweep that has not run anything yet. */
function initialFacts(options: SweepOptions, started: Date): SweepFacts {
  const { settings } = options;
  return {
    id: newSweepId(started),
    startedAt: started.toISOString(),
    finishedAt: started.toISOString(),
    durationMs: 0,
    enrolment: options.engine.warm.enrolmentPath(),
    maxTests: settings.CCCI_MAX_TESTS,
    limit: options.limit ?? settings.CCCI_SWEEP_MAX ?? DEFAULT_SWEEP_MAX,
    recipes: [],
    leftOut: [],
    notRun: [],
    canary: null,
    peakConcurrent: 0,
    closure: { checked: false, finishedRuns: 0, leaks: [] },
  };
}

const byRecipe = (runs: Run[]) => [...runs].sort((a, b) => a.recipe.localeCompare(b.recipe));

async function finish(
  facts: SweepFacts,
  started: Date,
  options: SweepOptions,
  log: Logger,
): Promise<SweepReport> {
  const finished = new Date();
  const report = judgeSweep({
    ...facts,
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
  });
  try {
    await writeLastSweep(options.settings.CCCI_STATE_DIR, report);
  } catch (error) {
    log.error({ err: error }, "cannot write the sweep report");
  }
  const level = report.status === "green" ? "info" : "error";
  log[level]({ status: report.status, problems: report.problems }, `sweep ${report.status}`);
  return report;
}
