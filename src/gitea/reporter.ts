import type { EngineApi } from "../engine/api.js";
import { isFinished, type Run } from "../engine/run.js";
import { BackgroundTasks } from "../github/background.js";
import type { CommitState, Forge } from "../github/forge.js";
import { COLD_STATUS_CONTEXT } from "../github/origin.js";
import { stickyMarker } from "../github/render/sticky-comment.js";
import { commitStateOf, verdictOf } from "../github/render/verdict.js";
import type { InterruptedRun } from "../github/reporter.js";
import type { Logger } from "../log.js";
import { type GiteaOrigin, giteaOrigin, giteaOriginSchema } from "./origin.js";
import { renderGiteaComment, renderInterruptedComment } from "./render.js";

export interface GiteaReporterOptions {
  engine: EngineApi;
  forge: Forge;
  log: Logger;
  /** Least time between two progress renders of one run; state changes and the end are never held back. */
  progressIntervalMs?: number;
}

interface RunReport {
  origin: GiteaOrigin;
  latest: Run;
  renderedState?: Run["state"];
  commitState?: CommitState;
  lastRenderAt: number;
  chain: Promise<void>;
  finished: boolean;
}

/**
 * Renders Gitea-started runs back to their pull request: the sticky comment per mode (progress and
 * result, edited in place) and, for cold runs only, the `ccci/cold` commit status. Quick runs never set
 * a status, so they can never gate a merge. Renders of one run are serialised; unchanged output is not
 * written again (the forge skips an identical comment body).
 */
export class GiteaReporter {
  private readonly reports = new Map<string, RunReport>();
  private readonly tasks: BackgroundTasks;
  private readonly interval: number;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: GiteaReporterOptions) {
    this.tasks = new BackgroundTasks(options.log);
    this.interval = options.progressIntervalMs ?? 10_000;
  }

  start(): void {
    this.unsubscribe ??= this.options.engine.onUpdate((run) => this.notify(run));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  idle(): Promise<void> {
    return this.tasks.idle();
  }

  notify(run: Run): void {
    const origin = giteaOrigin(run);
    if (!origin) return;
    let report = this.reports.get(run.id);
    if (!report) {
      report = { origin, latest: run, lastRenderAt: 0, chain: Promise.resolve(), finished: false };
      this.reports.set(run.id, report);
    }
    report.latest = run;
    const due = Date.now() - report.lastRenderAt >= this.interval;
    if (!isFinished(run) && run.state === report.renderedState && !due) return;
    const current = report;
    const next = current.chain.then(() => this.render(current));
    current.chain = next.catch(() => undefined);
    this.tasks.run("render run", () => next, this.options.log.child({ runId: run.id }));
  }

  private async render(report: RunReport): Promise<void> {
    if (report.finished) return;
    const run = report.latest;
    const { origin } = report;
    const repo = { owner: origin.owner, repo: origin.repo };
    report.lastRenderAt = Date.now();
    report.renderedState = run.state;
    if (run.mode === "cold") await this.renderCommitStatus(report);
    const body = renderGiteaComment(run, origin.headSha);
    await this.options.forge.ensureStickyComment(repo, origin.pullNumber, stickyMarker(run.mode), body);
    if (!isFinished(run)) return;
    report.finished = true;
    this.reports.delete(run.id);
  }

  private async renderCommitStatus(report: RunReport): Promise<void> {
    const run = report.latest;
    const state = commitStateOf(run);
    if (state === report.commitState) return;
    await this.options.forge.setCommitStatus(
      { owner: report.origin.owner, repo: report.origin.repo },
      {
        sha: report.origin.headSha,
        context: COLD_STATUS_CONTEXT,
        state,
        description: `cold: ${verdictOf(run).headline}`,
      },
    );
    report.commitState = state;
  }

  /** Ends the comment (and the cold status) of runs a crash or kill left unfinished. */
  reportInterrupted(runs: InterruptedRun[]): void {
    for (const interrupted of runs) {
      const origin = giteaOriginSchema.safeParse(interrupted.origin);
      if (!origin.success) continue;
      const mode = interrupted.mode === "quick" ? "quick" : "cold";
      this.tasks.run("complete interrupted run", () =>
        this.completeInterrupted(origin.data, interrupted, mode),
      );
    }
  }

  private async completeInterrupted(origin: GiteaOrigin, run: InterruptedRun, mode: Run["mode"]) {
    const repo = { owner: origin.owner, repo: origin.repo };
    const body = renderInterruptedComment(mode, origin.headSha, run.leaks);
    await this.options.forge.ensureStickyComment(repo, origin.pullNumber, stickyMarker(mode), body);
    if (mode !== "cold") return;
    await this.options.forge.setCommitStatus(repo, {
      sha: origin.headSha,
      context: COLD_STATUS_CONTEXT,
      state: "error",
      description: "cold: interrupted by a restart of ccci; re-run it",
    });
  }
}
