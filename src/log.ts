import { type Logger, pino } from "pino";
import { redactCcciSecrets } from "./ccci-secrets.js";

/**
 * The process-wide logger. Logs go to stderr as JSON lines so that stdout stays free for the CLI's own
 * output. Each delivery and each run gets a child logger (`deliveryId`, `runId`).
 */
export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  // ccci's own secrets are blanked from every line written, whatever logged them (run output included).
  return pino(
    { level, base: { name: "ccci" }, hooks: { streamWrite: redactCcciSecrets } },
    pino.destination(2),
  );
}

export type { Logger };
