import type { IncomingMessage, ServerResponse } from "node:http";
import type { EngineApi } from "../engine/api.js";
import { BackgroundTasks } from "../github/background.js";
import type { InterruptedRun } from "../github/reporter.js";
import type { Logger } from "../log.js";
import { type StatusSources, statusPageHandler } from "../ops/status-page.js";
import type { GiteaClient } from "./client.js";
import { onGiteaComment } from "./comment-trigger.js";
import { GiteaForge } from "./gitea-forge.js";
import { onGiteaPullRequestChanged } from "./pull-request-trigger.js";
import { GiteaReporter } from "./reporter.js";
import { SeenComments } from "./seen-comments.js";
import type { GiteaConfig } from "./settings.js";
import { giteaWebhookRoute } from "./webhook-route.js";

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface GiteaAppOptions {
  config: GiteaConfig;
  client: GiteaClient;
  /** The bot user's login, from `whoAmI` at start-up. */
  botLogin: string;
  engine: EngineApi;
  log: Logger;
  statusSources?: StatusSources;
  extraHandlers?: HttpHandler[];
  progressIntervalMs?: number;
}

export interface GiteaApp {
  /** The handlers in order: webhook, status page, then the extra ones (e.g. /metrics). */
  handlers: HttpHandler[];
  botLogin: string;
  reportInterrupted(runs: InterruptedRun[]): void;
  idle(): Promise<void>;
  stop(): void;
}

/** Wires Gitea's deliveries to the triggers and the engine to the Gitea reporter, nothing else. */
export function createGiteaApp(options: GiteaAppOptions): GiteaApp {
  const { engine, log, botLogin } = options;
  const forge = new GiteaForge(options.client, botLogin);
  const tasks = new BackgroundTasks(log);
  const reporter = new GiteaReporter({
    engine,
    forge,
    log: log.child({ name: "reporter" }),
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
  });
  reporter.start();
  const deps = { engine, forge, botLogin, reporter, tasks, seen: new SeenComments() };
  const webhook = giteaWebhookRoute(
    options.config.webhookSecret,
    (event, payload, deliveryLog) => {
      if (event === "issue_comment") onGiteaComment(deps, payload, deliveryLog);
      if (event === "pull_request") onGiteaPullRequestChanged(engine, payload, deliveryLog);
    },
    log,
  );
  const status = statusPageHandler(engine, options.statusSources, log.child({ name: "status-page" }));
  return {
    handlers: [webhook, status, ...(options.extraHandlers ?? [])],
    botLogin,
    reportInterrupted: (runs) => reporter.reportInterrupted(runs),
    async idle() {
      while (tasks.size > 0) {
        await tasks.idle();
        await reporter.idle();
      }
      await reporter.idle();
    },
    stop: () => reporter.stop(),
  };
}
