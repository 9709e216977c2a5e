import { Cron } from "croner";
import { z } from "zod";

/** Words that switch the in-process schedule off (an empty variable means "default" to loadSettings). */
export const SWEEP_OFF = ["off", "none", "never"] as const;

function isCronOrOff(value: string): boolean {
  if ((SWEEP_OFF as readonly string[]).includes(value)) return true;
  try {
    new Cron(value, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

/**
 * Nightly sweep settings (WC6), to be folded into src/config.ts beside the disk settings. The canary's
 * default is the recipe bundled with ccci (test/fixtures/recipes/canary), resolved at run time.
 */
export const sweepSettingsSchema = z.object({
  CCCI_SWEEP_CRON: z
    .string()
    .trim()
    .refine(isCronOrOff, "expected a cron expression such as `0 3 * * *`, or `off`")
    .default("0 3 * * *")
    .describe(
      "When the bot runs the nightly sweep (cron expression, local time of the host); `off` disables the schedule.",
    ),
  CCCI_SWEEP_MAX: z.coerce
    .number({ error: "expected a whole number between 1 and 1000" })
    .int("expected a whole number between 1 and 1000")
    .min(1, "expected a whole number between 1 and 1000")
    .max(1000, "expected a whole number between 1 and 1000")
    .default(50)
    .describe(
      "Most enrolled recipes one sweep tests; the rest are named in the report and go first next time.",
    ),
  CCCI_SWEEP_CANARY: z
    .string()
    .min(1)
    .optional()
    .describe(
      "The canary recipe every sweep runs and that must fail (a directory or git URL); default the bundled `test/fixtures/recipes/canary`.",
    ),
});

export type SweepSettings = z.infer<typeof sweepSettingsSchema>;

/** The schedule's cron expression, or null when it is switched off. */
export function sweepCron(settings: Pick<SweepSettings, "CCCI_SWEEP_CRON">): string | null {
  const cron = settings.CCCI_SWEEP_CRON.trim();
  return (SWEEP_OFF as readonly string[]).includes(cron) ? null : cron;
}
