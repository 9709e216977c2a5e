import { z } from "zod";

const whole = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number between ${min} and ${max}` })
    .int(`expected a whole number between ${min} and ${max}`)
    .min(min, `expected a whole number between ${min} and ${max}`)
    .max(max, `expected a whole number between ${min} and ${max}`);

/**
 * Bounds of the bot's side (webhooks, GitHub API, reports), folded into src/config.ts. Every one of them
 * has a test that crosses it.
 */
export const botSettingsSchema = z.object({
  CCCI_WEBHOOK_MAX_BYTES: whole(1024, 1024 * 1024 * 1024)
    .default(25 * 1024 * 1024)
    .describe(
      "Largest webhook request body accepted, in bytes (GitHub caps its payloads at 25 MB); a larger one is " +
        "answered 413 before it is read or its signature checked.",
    ),
  CCCI_GITHUB_TIMEOUT: whole(1, 600)
    .default(30)
    .describe("Seconds one GitHub API request may take before it is aborted (and retried, for reports)."),
  CCCI_RATE_LIMIT_RETRIES: whole(0, 10)
    .default(2)
    .describe("How often one GitHub API request is retried after a (primary or secondary) rate limit."),
  CCCI_REPORT_ATTEMPTS: whole(1, 100)
    .default(8)
    .describe(
      "Attempts to deliver one report (check run, status, sticky comment) before it is logged as undelivered; " +
        "an undelivered final report is tried again at the next start.",
    ),
  CCCI_REPORT_BACKOFF: whole(0, 3600)
    .default(2)
    .describe(
      "Seconds before the first retry of a failed report; doubled on every retry, at most 5 minutes.",
    ),
  CCCI_RUNS_IN_MEMORY: whole(1, 10_000)
    .default(100)
    .describe(
      "Finished runs the bot keeps in memory for the status page and re-runs; older ones are only in the journal.",
    ),
});

export type BotSettings = z.infer<typeof botSettingsSchema>;
