import { createServer, type Server } from "node:http";
import { loadSettings } from "../config.js";
import { createEngine } from "../engine/engine.js";
import { describeError, isUserError } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import { startBackgroundJobs } from "../ops/background.js";
import { createStatusSources } from "../ops/status/sources.js";
import { recoverInterrupted } from "../ops/sweep-interrupted.js";
import { createGiteaApp, type HttpHandler } from "./app.js";
import { GiteaApiError, GiteaClient } from "./client.js";
import { whoAmI } from "./gitea-forge.js";
import { readServerEnv } from "./server-env.js";
import { readGiteaConfig } from "./settings.js";

function exitWith(message: string): never {
  console.error(`ccci: ${message}`);
  process.exit(2);
}

function readConfiguration() {
  try {
    const settings = loadSettings();
    return { settings, gitea: readGiteaConfig(settings), server: readServerEnv() };
  } catch (error) {
    if (!isUserError(error)) throw error;
    exitWith(describeError(error));
  }
}

/** A start-up check of the token that names the setting to fix (the token itself is never printed). */
function startupProblem(error: unknown, baseUrl: string): string | undefined {
  if (!(error instanceof GiteaApiError)) return undefined;
  if (error.status === 401 || error.status === 403)
    return `CONFIG_INVALID: invalid configuration:\n  CCCI_GITEA_TOKEN_FILE: ${baseUrl} refused the token (${error.status}); make a new one for the bot user`;
  return `CONFIG_INVALID: invalid configuration:\n  CCCI_GITEA_URL: cannot use ${baseUrl}: ${error.message}`;
}

function serve(handlers: HttpHandler[], log: Logger): Server {
  return createServer((req, res) => {
    void (async () => {
      for (const handler of handlers) if (await handler(req, res)) return;
      res.writeHead(404).end();
    })().catch((error: unknown) => {
      log.error({ err: error }, "request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
}

/** `npm start` with CCCI_FORGE=gitea: the same engine, recovery and jobs, Gitea instead of Probot. */
export async function runGiteaBot(): Promise<void> {
  const config = readConfiguration();
  const log = createLogger(config.server.LOG_LEVEL);
  // The token is checked (and the bot's login learnt) before recovery or any job touches anything.
  const client = new GiteaClient({ baseUrl: config.gitea.baseUrl, token: config.gitea.token });
  const botLogin = await whoAmI(client).catch((error: unknown) => {
    const problem = startupProblem(error, config.gitea.baseUrl);
    if (problem) exitWith(problem);
    throw error;
  });
  const engine = createEngine({ settings: config.settings, log });
  const interrupted = await recoverInterrupted(engine, config.settings, log);
  const jobs = startBackgroundJobs(engine, config.settings, log);
  const app = createGiteaApp({
    config: config.gitea,
    client,
    botLogin,
    engine,
    log,
    extraHandlers: jobs.handlers,
    statusSources: createStatusSources({
      stateDir: config.settings.CCCI_STATE_DIR,
      registry: engine.warm.registry,
      disk: engine.disk,
    }),
  });
  const server = serve(app.handlers, log);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject); // e.g. EADDRINUSE: start-up fails with the reason
    server.listen(config.server.PORT, config.server.HOST, resolve);
  });
  log.info(
    { address: server.address(), bot: app.botLogin, gitea: config.gitea.baseUrl },
    "listening for Gitea",
  );
  app.reportInterrupted(interrupted);

  stopOnSignals(async () => {
    server.closeIdleConnections();
    await new Promise((resolve) => server.close(resolve));
    await jobs.stop();
    await engine.shutdown();
    await app.idle();
    app.stop();
  }, log);
}

/** SIGTERM/SIGINT: no new deliveries, cancel runs (teardown still runs), write the last reports, exit 0. */
function stopOnSignals(shutdown: () => Promise<void>, log: Logger): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: no new deliveries, cancelling runs (teardown still runs)");
    await shutdown();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
