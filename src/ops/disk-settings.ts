import { z } from "zod";
import { diskThresholdSchema } from "./disk-threshold.js";

/**
 * Disk guard settings, to be folded into src/config.ts. A threshold is free space, either absolute
 * (`10GB`) or a share of the filesystem (`15%`); each applies to the docker data root and the state dir.
 */
export const diskSettingsSchema = z.object({
  CCCI_DISK_SOFT: diskThresholdSchema
    .prefault("15%")
    .describe(
      "Free space below which ccci prunes stopped containers, dangling images, build cache, run dirs.",
    ),
  CCCI_DISK_HARD: diskThresholdSchema
    .prefault("5%")
    .describe("Free space below which ccci refuses new runs (after pruning), naming the disk."),
  CCCI_DISK_CHECK_INTERVAL: z.coerce
    .number({ error: "expected a whole number of seconds" })
    .int("expected a whole number of seconds")
    .min(0)
    .max(86_400)
    .default(600)
    .describe("Seconds between periodic disk checks (besides the one before each run); 0 turns them off."),
});

export type DiskSettings = z.infer<typeof diskSettingsSchema>;
