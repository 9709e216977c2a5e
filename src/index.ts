import type { ApplicationFunction, ApplicationFunctionOptions, Probot } from "probot";
import type { EngineApi } from "./engine/api.js";
import { appIdentity } from "./github/app-identity.js";
import { BackgroundTasks } from "./github/background.js";
import { onCommentCreated } from "./github/comment-trigger.js";
import { DeliveryLog } from "./github/delivery-log.js";
import { DeniedCache } from "./github/denied-cache.js";
import type { Forge, ForgeFactory } from "./github/forge.js";
import { type AppIdentity, OctokitForge } from "./github/octokit-forge.js";
import { onPullRequestChanged } from "./github/pull-request-trigger.js";
import { ReplyLimiter } from "./github/reply-limiter.js";
import type { ReportOutbox } from "./github/report-outbox.js";
import type { RetryPolicy } from "./github/report-retry.js";
import { type InterruptedRun, Reporter } from "./github/reporter.js";
import { onCheckRunRerequested, onCheckSuiteRerequested } from "./github/rerun-trigger.js";
import { redactInstallationTokens } from "./github/token-secrets.js";
import { type StatusSources, statusPageHandler } from "./ops/status-page.js";

export interface CcciAppOptions {
  engine: EngineApi;
  /** Least time between two progress renders of one run (check-run updates); default 10 s. */
  progressIntervalMs?: number;
  /** The engine's `recordOrigin`: persists the check run id with the run for crash recovery. */
  recordOrigin?: (runId: string, origin: Record<string, unknown>) => Promise<void>;
  /** Canonicals, disk, last sweep and run durations for the status page; without them it lists runs only. */
  statusSources?: StatusSources;
  /** More HTTP handlers to mount beside the status page (e.g. `/metrics`), in Probot's addHandler shape. */
  extraHandlers?: Parameters<ApplicationFunctionOptions["addHandler"]>[0][];
  /** The GitHub App's id: the sticky comment must be one this app wrote. Without it, read from `GET /app`. */
  appId?: number;
  /** Delivery ids already handled (deduplication); default: in memory. */
  deliveries?: DeliveryLog;
  /** Reports not yet delivered, kept across restarts; default: memory only. */
  outbox?: ReportOutbox;
  /** How failed writes of reports are retried. */
  reportRetry?: RetryPolicy;
  /** Refusal replies per user and pull request; default once per 10 minutes. */
  replies?: ReplyLimiter;
}

export interface CcciApp {
  appFn: ApplicationFunction;
  /** Resolves once every after-delivery task and pending report has been written. */
  idle(): Promise<void>;
  /** Completes on GitHub the runs the engine's start-up recovery found interrupted. Call after loading. */
  reportInterrupted(runs: InterruptedRun[]): void;
  stop(): void;
}

/**
 * One Forge per installation, made once: building an installation Octokit costs milliseconds of CPU
 * (every plugin, every endpoint method), and its auth strategy renews the token by itself.
 */
function forgeFactory(app: Probot, identity: AppIdentity): ForgeFactory {
  const forges = new Map<number, Promise<Forge>>();
  return (installationId) => {
    let forge = forges.get(installationId);
    if (!forge) {
      forge = app
        .auth(installationId)
        .then((octokit) => new OctokitForge(redactInstallationTokens(octokit), identity));
      forge.catch(() => forges.delete(installationId));
      forges.set(installationId, forge);
    }
    return forge;
  };
}

/** The Probot app: wires the webhook events to the triggers, the engine to the reporter, nothing else. */
export function createCcciApp(options: CcciAppOptions): CcciApp {
  let tasks: BackgroundTasks | undefined;
  let reporter: Reporter | undefined;
  const appFn: ApplicationFunction = (app, { addHandler }) => {
    const forgeFor = forgeFactory(app, appIdentity(app, options.appId));
    const engine = options.engine;
    const deliveries = options.deliveries ?? DeliveryLog.inMemory();
    tasks = new BackgroundTasks(app.log);
    reporter = new Reporter({
      engine,
      forgeFor,
      log: app.log.child({ name: "reporter" }),
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
      ...(options.recordOrigin ? { recordOrigin: options.recordOrigin } : {}),
      ...(options.outbox ? { outbox: options.outbox } : {}),
      ...(options.reportRetry ? { retry: options.reportRetry } : {}),
    });
    reporter.start();
    const replies = options.replies ?? new ReplyLimiter();
    const deps = { engine, forgeFor, reporter, tasks, replies, denied: new DeniedCache() };
    // A delivery id seen before (GitHub's redeliver button, a replay) starts nothing again.
    const once =
      <C extends { id: string; payload: unknown; log: Probot["log"] }>(handle: (context: C) => void) =>
      async (context: C) => {
        if (deliveries.claim(context.id)) return handle(context);
        context.log.info({ deliveryId: context.id }, "delivery already handled; ignored");
      };
    app.on(
      "issue_comment.created",
      once((context) => onCommentCreated(deps, context.payload, context.log)),
    );
    app.on(
      ["pull_request.synchronize", "pull_request.closed"],
      once((context) => onPullRequestChanged(engine, context.payload, context.log)),
    );
    app.on(
      "check_run.rerequested",
      once((context) => onCheckRunRerequested(deps, context.payload, context.log)),
    );
    app.on(
      "check_suite.rerequested",
      once((context) => onCheckSuiteRerequested(deps, context.payload, context.log)),
    );
    addHandler(statusPageHandler(engine, options.statusSources, app.log.child({ name: "status-page" })));
    for (const handler of options.extraHandlers ?? []) addHandler(handler);
  };
  return {
    appFn,
    async idle() {
      // A task may notify the reporter and a render may not start a task, so drain tasks first.
      while ((tasks?.size ?? 0) > 0) {
        await tasks?.idle();
        await reporter?.idle();
      }
      await reporter?.idle();
    },
    reportInterrupted(runs) {
      reporter?.reportInterrupted(runs);
    },
    stop() {
      reporter?.stop();
    },
  };
}

export default createCcciApp;
