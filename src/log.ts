import { type Logger, pino } from "pino";

/**
 * The process-wide logger. Logs go to stderr as JSON lines so that stdout stays free for the CLI's own
 * output. Each delivery and each run gets a child logger (`deliveryId`, `runId`).
 */
export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, base: { name: "ccci" } }, pino.destination(2));
}

export type { Logger };
