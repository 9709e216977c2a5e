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
import { type OutboxRecord, ReportOutbox } from "./report-outbox.js";
import { defaultRetryPolicy, type RetryPolicy, withRetries } from "./report-retry.js";

export interface ReporterOptions {
  engine: EngineApi;
  forgeFor: ForgeFactory;
  log: Logger;
  /** Least time between two progress renders of one run; queued and final renders are never delayed. */
  progressIntervalMs?: number;
  /** Persists the check run id with the run (the engine's `recordOrigin`), so recovery can complete it. */
  recordOrigin?: (runId: string, origin: Record<string, unknown>) => Promise<void>;
  /** Where unfinished reports are kept across restarts; none: memory only. */
  outbox?: ReportOutbox;
  /** How a failed write to GitHub is retried. */
  retry?: RetryPolicy;
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
  /** What of the run is in the outbox: nothing yet, its origin, or its final result. */
  saved?: "origin" | "final";
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
  private readonly outbox: ReportOutbox;
  private readonly stopping = new AbortController();

  constructor(private readonly options: ReporterOptions) {
    this.tasks = new BackgroundTasks(options.log);
    this.interval = options.progressIntervalMs ?? 10_000;
    this.outbox = options.outbox ?? new ReportOutbox(undefined);
  }

  start(): void {
    this.unsubscribe ??= this.options.engine.onUpdate((run) => this.notify(run));
  }

  /** Stops listening; a retry waiting for its next attempt gives up (the outbox keeps it for the next start). */
  stop(): void {
    this.stopping.abort();
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
    const log = this.options.log.child({ runId: report.latest.id });
    const next = report.chain.then(() =>
      withRetries(
        `report of run ${report.latest.id}`,
        () => this.render(report),
        this.options.retry ?? defaultRetryPolicy,
        log,
        this.stopping.signal,
      ),
    );
    report.chain = next.then(() => undefined);
    this.tasks.run("render run", () => report.chain, log);
  }

  /** Records the run in the outbox before GitHub hears of it, and its result before that is shown. */
  private async save(report: RunReport, checkRunId?: number): Promise<void> {
    const final = isFinished(report.latest);
    if (checkRunId === undefined && report.saved === (final ? "final" : "origin")) return;
    if (checkRunId === undefined && report.saved && !final) return;
    const record: OutboxRecord = {
      runId: report.latest.id,
      mode: report.latest.mode,
      origin: { ...report.origin, ...(report.checkRun ? { checkRunId: report.checkRun.id } : {}) },
      ...(final ? { final: report.latest } : {}),
    };
    try {
      await this.outbox.save(record);
      report.saved = final ? "final" : "origin";
    } catch (error) {
      this.options.log.warn({ err: error, runId: record.runId }, "could not keep the report in the outbox");
    }
  }

  private async render(report: RunReport): Promise<void> {
    if (report.finished) return;
    const run = report.latest;
    const { origin } = report;
    const repo = { owner: origin.owner, repo: origin.repo };
    await this.save(report);
    const forge = await this.options.forgeFor(origin.installationId);
    report.lastRenderAt = Date.now();
    const fields = renderCheckRun(run, origin.headSha, this.options.engine.queuePosition(run.id));
    const key = JSON.stringify({ ...fields, completedAt: undefined });
    if (!report.checkRun) {
      report.checkRun = await forge.createCheckRun(repo, fields);
      await this.save(report, report.checkRun.id);
      await this.recordCheckRun(run.id, report.checkRun.id);
    } else if (key !== report.renderedKey) await forge.updateCheckRun(repo, report.checkRun.id, fields);
    report.renderedKey = key;
    if (run.mode === "cold") await this.renderCommitStatus(report, forge);
    if (!isFinished(run)) return;
    const body = renderStickyComment(run, origin.headSha, report.checkRun.htmlUrl || undefined);
    await forge.ensureStickyComment(repo, origin.pullNumber, stickyMarker(run.mode), body);
    report.finished = true;
    this.forget(run.id);
    await this.outbox.remove(run.id).catch((error: unknown) => {
      this.options.log.warn({ err: error, runId: run.id }, "could not clear the delivered report");
    });
  }

  private async recordCheckRun(runId: string, checkRunId: number): Promise<void> {
    try {
      await this.options.recordOrigin?.(runId, { checkRunId });
    } catch (error) {
      this.options.log.warn({ err: error, runId }, "could not record the check run id with the run");
    }
  }

  /**
   * At start-up: delivers what earlier processes left unreported — final results that never reached
   * GitHub, and runs a crash or kill interrupted (the engine's recovery tore those down; `runs` says what
   * it left) — so no check run stays queued or in progress and no `ccci/cold` stays pending.
   */
  reportInterrupted(runs: InterruptedRun[]): void {
    this.tasks.run("complete unfinished reports", () => this.completeLeftovers(runs));
  }

  private async completeLeftovers(runs: InterruptedRun[]): Promise<void> {
    const records = await this.outbox.pending(this.options.log);
    const inOutbox = new Set(records.map((record) => record.runId));
    for (const record of records) {
      if (this.reports.has(record.runId) || this.done.has(record.runId)) continue;
      if (record.final) this.resumeFinal(record);
      else {
        const leaks = runs.find((run) => run.runId === record.runId)?.leaks ?? "";
        this.completeInterruptedRun(record.origin, { runId: record.runId, leaks }, record.mode);
      }
    }
    for (const interrupted of runs) {
      if (inOutbox.has(interrupted.runId)) continue;
      // Runs of processes from before the outbox: their journal carries the origin.
      const origin = pullRequestOriginSchema.safeParse(interrupted.origin);
      if (!origin.success || origin.data.checkRunId === undefined) continue;
      this.completeInterruptedRun(origin.data, interrupted, interrupted.mode === "quick" ? "quick" : "cold");
    }
  }

  private resumeFinal(record: OutboxRecord): void {
    const run = record.final as Run;
    const { checkRunId } = record.origin;
    const report: RunReport = {
      origin: record.origin,
      latest: run,
      lastRenderAt: 0,
      finished: false,
      saved: "final",
      chain: Promise.resolve(),
      ...(checkRunId !== undefined ? { checkRun: { id: checkRunId, htmlUrl: "" } } : {}),
    };
    this.reports.set(run.id, report);
    this.options.log.info({ runId: run.id }, "delivering a final report an earlier process could not");
    this.enqueue(report);
  }

  private completeInterruptedRun(
    origin: PullRequestOrigin,
    run: { runId: string; leaks: string },
    mode: Run["mode"],
  ) {
    const log = this.options.log.child({ runId: run.runId });
    this.tasks.run(
      "complete interrupted run",
      async () => {
        const delivered = await withRetries(
          `completion of interrupted run ${run.runId}`,
          () => completeInterrupted(this.options.forgeFor, origin, run, mode),
          this.options.retry ?? defaultRetryPolicy,
          log,
          this.stopping.signal,
        );
        if (delivered) await this.outbox.remove(run.runId);
      },
      log,
    );
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
