import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Probot, Server } from "probot";
import { loadSettings, type Settings } from "./config.js";
import { createEngine } from "./engine/engine.js";
import { describeError, isUserError } from "./errors.js";
import { runGiteaBot } from "./gitea/main.js";
import { limitRequestBodies } from "./github/body-limit.js";
import { DeliveryLog } from "./github/delivery-log.js";
import { boundedProbotOctokit } from "./github/octokit-options.js";
import { type ProbotEnv, readProbotEnv } from "./github/probot-env.js";
import { ReportOutbox } from "./github/report-outbox.js";
import { createCcciApp } from "./index.js";
import { createLogger } from "./log.js";
import { startBackgroundJobs } from "./ops/background.js";
import { createStatusSources } from "./ops/status/sources.js";
import { recoverInterrupted } from "./ops/sweep-interrupted.js";

/**
 * `npm start`: the Probot server with Probot's standard environment (APP_ID, PRIVATE_KEY or
 * PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, LOG_LEVEL, GHE_HOST/GHE_PROTOCOL) and ccci's CCCI_*
 * settings. Any bad setting stops start-up with a message naming the variable (exit code 2).
 */
function readConfiguration(): { settings: Settings; probot: ProbotEnv } {
  try {
    return { settings: loadSettings(), probot: readProbotEnv() };
  } catch (error) {
    if (!isUserError(error)) throw error;
    console.error(`ccci: ${describeError(error)}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  // CCCI_FORGE=gitea serves a Gitea or Forgejo instance instead of a GitHub App (src/gitea/).
  if (process.env.CCCI_FORGE === "gitea") return runGiteaBot();
  const config = readConfiguration();
  const log = createLogger(config.probot.logLevel);
  const engine = createEngine({ settings: config.settings, log });
  // Tear down what a crash or kill left behind before taking new work.
  const interrupted = await recoverInterrupted(engine, config.settings, log);
  const jobs = startBackgroundJobs(engine, config.settings, log);
  const { settings } = config;
  const ccci = createCcciApp({
    engine,
    appId: config.probot.appId,
    deliveries: await DeliveryLog.open(join(settings.CCCI_STATE_DIR, "deliveries.log"), log),
    outbox: new ReportOutbox(join(settings.CCCI_STATE_DIR, "reports")),
    reportRetry: {
      attempts: settings.CCCI_REPORT_ATTEMPTS,
      firstDelayMs: settings.CCCI_REPORT_BACKOFF * 1000,
    },
    recordOrigin: (runId, origin) => engine.recordOrigin(runId, origin),
    extraHandlers: jobs.handlers,
    statusSources: createStatusSources({
      stateDir: config.settings.CCCI_STATE_DIR,
      registry: engine.warm.registry,
      disk: engine.disk, // only measure() is used: a page view never prunes
    }),
  });
  const server = new Server({
    port: config.probot.port,
    host: config.probot.host ?? "localhost",
    webhookPath: config.probot.webhookPath,
    log,
    Probot: Probot.defaults({
      appId: config.probot.appId,
      privateKey: config.probot.privateKey,
      secret: config.probot.secret,
      log,
      Octokit: boundedProbotOctokit(
        {
          timeoutMs: settings.CCCI_GITHUB_TIMEOUT * 1000,
          rateLimitRetries: settings.CCCI_RATE_LIMIT_RETRIES,
        },
        log.child({ name: "github" }),
      ),
      ...(config.probot.baseUrl ? { baseUrl: config.probot.baseUrl } : {}),
    }),
  });
  await server.load(ccci.appFn);
  const httpServer = await server.start();
  limitRequestBodies(httpServer, {
    webhookPath: config.probot.webhookPath,
    maxBytes: settings.CCCI_WEBHOOK_MAX_BYTES,
    log: log.child({ name: "webhooks" }),
  });
  ccci.reportInterrupted(interrupted);
  if (interrupted.length > 0)
    log.info({ runs: interrupted.map((r) => r.runId) }, "recovered interrupted runs");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: no new deliveries, cancelling runs (teardown still runs)");
    // Keep-alive connections would hold `close` open until their clients hang up.
    httpServer.closeIdleConnections();
    await server.stop().catch((error: unknown) => log.error({ err: error }, "server stop failed"));
    await jobs.stop();
    await engine.shutdown();
    // Reports still failing after this long stay in the outbox and are delivered at the next start.
    await Promise.race([ccci.idle(), sleep(30_000, undefined, { ref: false })]);
    ccci.stop();
    await ccci.idle();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(`ccci: start-up failed: ${describeError(error)}`);
  process.exit(1);
});
