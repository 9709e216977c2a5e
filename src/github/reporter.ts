import type { EngineApi } from "../engine/api.js";
import { isFinished, type Run } from "../engine/run.js";
import type { Logger } from "../log.js";
import { BackgroundTasks } from "./background.js";
import type { CheckRunRef, CommitState, ForgeFactory } from "./forge.js";
import { completeInterrupted } from "./interrupted.js";
import {
  COLD_STATUS_CONTEXT,
  type PullRequestOrigin,
  pullRequestOrigin,
  pullRequestOriginSchema,
} from "./origin.js";
import { renderCheckRun } from "./render/check-run.js";
import { renderStickyComment, stickyMarker } from "./render/sticky-comment.js";
import { commitStateOf, verdictOf } from "./render/verdict.js";

export interface ReporterOptions {
  engine: EngineApi;
  forgeFor: ForgeFactory;
  log: Logger;
  /** Least time between two progress renders of one run; queued and final renders are never delayed. */
  progressIntervalMs?: number;
  /** Persists the check run id with the run (the engine's `recordOrigin`), so recovery can complete it. */
  recordOrigin?: (runId: string, origin: Record<string, unknown>) => Promise<void>;
}

/** A run a previous process left unfinished, as the engine's recovery reports it. */
export interface InterruptedRun {
  runId: string;
  mode: string;
  origin: Record<string, unknown>;
  leaks: string;
}

interface RunReport {
  origin: PullRequestOrigin;
  latest: Run;
  checkRun?: CheckRunRef;
  renderedKey?: string;
  commitState?: CommitState;
  lastRenderAt: number;
  /** A progress render waiting for the interval to pass. */
  timer?: { handle: NodeJS.Timeout; release: () => void };
  finished: boolean;
  /** Renders of one run happen one after another; each renders the newest snapshot. */
  chain: Promise<void>;
}

/**
 * Renders runs started from pull requests onto GitHub: a check run, a commit status (cold only) and the
 * sticky result comment. Idempotent: unchanged output is not written again, and progress updates are
 * coalesced because every write costs a second under Probot's throttle.
 */
export class Reporter {
  private readonly reports = new Map<string, RunReport>();
  private readonly done = new Set<string>();
  private readonly tasks: BackgroundTasks;
  private unsubscribe: (() => void) | undefined;
  private readonly interval: number;

  constructor(private readonly options: ReporterOptions) {
    this.tasks = new BackgroundTasks(options.log);
    this.interval = options.progressIntervalMs ?? 10_000;
  }

  start(): void {
    this.unsubscribe ??= this.options.engine.onUpdate((run) => this.notify(run));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const report of this.reports.values()) this.cancelTimer(report);
  }

  idle(): Promise<void> {
    return this.tasks.idle();
  }

  /** Takes a run snapshot; renders it now, or later if it is progress that came too soon. */
  notify(run: Run): void {
    if (this.done.has(run.id)) return;
    const origin = pullRequestOrigin(run);
    if (!origin) return;
    let report = this.reports.get(run.id);
    if (!report) {
      report = { origin, latest: run, lastRenderAt: 0, finished: false, chain: Promise.resolve() };
      this.reports.set(run.id, report);
    }
    report.latest = run;
    const wait = report.lastRenderAt + this.interval - Date.now();
    if (isFinished(run) || report.lastRenderAt === 0 || wait <= 0) {
      this.cancelTimer(report);
      this.enqueue(report);
    } else if (!report.timer) {
      this.tasks.track(
        "delayed render",
        new Promise<void>((release) => {
          const handle = setTimeout(() => {
            report.timer = undefined;
            this.enqueue(report);
            release();
          }, wait);
          handle.unref();
          report.timer = { handle, release };
        }),
      );
    }
  }

  private cancelTimer(report: RunReport): void {
    if (!report.timer) return;
    clearTimeout(report.timer.handle);
    report.timer.release();
    report.timer = undefined;
  }

  private enqueue(report: RunReport): void {
    const next = report.chain.then(() => this.render(report));
    report.chain = next.catch(() => undefined);
    this.tasks.run("render run", () => next, this.options.log.child({ runId: report.latest.id }));
  }

  private async render(report: RunReport): Promise<void> {
    if (report.finished) return;
    const run = report.latest;
    const { origin } = report;
    const repo = { owner: origin.owner, repo: origin.repo };
    const forge = await this.options.forgeFor(origin.installationId);
    report.lastRenderAt = Date.now();
    const fields = renderCheckRun(run, origin.headSha, this.options.engine.queuePosition(run.id));
    const key = JSON.stringify({ ...fields, completedAt: undefined });
    if (!report.checkRun) {
      report.checkRun = await forge.createCheckRun(repo, fields);
      await this.recordCheckRun(run.id, report.checkRun.id);
    } else if (key !== report.renderedKey) await forge.updateCheckRun(repo, report.checkRun.id, fields);
    report.renderedKey = key;
    if (run.mode === "cold") await this.renderCommitStatus(report, forge);
    if (!isFinished(run)) return;
    const body = renderStickyComment(run, origin.headSha, report.checkRun.htmlUrl || undefined);
    await forge.ensureStickyComment(repo, origin.pullNumber, stickyMarker(run.mode), body);
    report.finished = true;
    this.forget(run.id);
  }

  private async recordCheckRun(runId: string, checkRunId: number): Promise<void> {
    try {
      await this.options.recordOrigin?.(runId, { checkRunId });
    } catch (error) {
      this.options.log.warn({ err: error, runId }, "could not record the check run id with the run");
    }
  }

  /** Completes the check runs (and cold statuses) of runs a crash or kill left unfinished. */
  reportInterrupted(runs: InterruptedRun[]): void {
    for (const interrupted of runs) {
      const origin = pullRequestOriginSchema.safeParse(interrupted.origin);
      const mode = interrupted.mode === "quick" ? "quick" : "cold";
      if (!origin.success || origin.data.checkRunId === undefined) continue;
      this.tasks.run("complete interrupted run", () =>
        completeInterrupted(this.options.forgeFor, origin.data, interrupted, mode),
      );
    }
  }

  private async renderCommitStatus(
    report: RunReport,
    forge: Awaited<ReturnType<ForgeFactory>>,
  ): Promise<void> {
    const run = report.latest;
    const state = commitStateOf(run);
    if (state === report.commitState) return;
    await forge.setCommitStatus(
      { owner: report.origin.owner, repo: report.origin.repo },
      {
        sha: report.origin.headSha,
        context: COLD_STATUS_CONTEXT,
        state,
        description: `cold: ${verdictOf(run).headline}`,
        ...(report.checkRun?.htmlUrl ? { targetUrl: report.checkRun.htmlUrl } : {}),
      },
    );
    report.commitState = state;
  }

  private forget(runId: string): void {
    this.reports.delete(runId);
    this.done.add(runId);
    // Bounded memory: late updates of long-finished runs are harmless to drop.
    if (this.done.size > 10_000) this.done.delete(this.done.values().next().value as string);
  }
}
