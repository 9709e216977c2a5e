import { z } from "zod";

const kib = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number of KiB between ${min} and ${max}` })
    .int(`expected a whole number of KiB between ${min} and ${max}`)
    .min(min, `expected a whole number of KiB between ${min} and ${max}`)
    .max(max, `expected a whole number of KiB between ${min} and ${max}`);

/** Settings of the custom-assert sandbox (docs/custom-asserts.md), folded into src/config.ts. */
export const sandboxSettingsSchema = z.object({
  CCCI_ASSERT_IMAGE: z
    .string()
    .min(1)
    .default("ccci/assert:local")
    .describe(
      "Image each custom assert runs in (needs `sh`; `ccci-exec` for exec into the run's services). " +
        "Must be on the host: ccci never pulls it. `scripts/swarm-up.sh` builds the default.",
    ),
  CCCI_ASSERT_MEMORY_MB: z.coerce
    .number({ error: "expected a whole number of MiB between 16 and 65536" })
    .int("expected a whole number of MiB between 16 and 65536")
    .min(16, "expected a whole number of MiB between 16 and 65536")
    .max(65_536, "expected a whole number of MiB between 16 and 65536")
    .default(256)
    .describe("Memory limit of an assert's sandbox container (no swap)."),
  CCCI_ASSERT_OUTPUT_KIB: kib(1, 65_536)
    .default(64)
    .describe(
      "Output of one custom assert kept (stdout and stderr each; the tail is kept, the report says so).",
    ),
  CCCI_RUN_OUTPUT_KIB: kib(4, 1_048_576)
    .default(512)
    .describe(
      "Assert output kept in one run's record in all; later asserts keep less (the tail), the report says so.",
    ),
});

export type SandboxSettings = z.infer<typeof sandboxSettingsSchema>;
