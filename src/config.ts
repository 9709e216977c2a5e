import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { sandboxSettingsSchema } from "./engine/asserts/sandbox-settings.js";
import { UserError } from "./errors.js";
import { giteaSettingsSchema } from "./gitea/settings.js";
import { botSettingsSchema } from "./github/bot-settings.js";
import { diskSettingsSchema } from "./ops/disk-settings.js";
import { sweepSettingsSchema } from "./ops/sweep-settings.js";
import { ssoSettingsSchema } from "./sso/settings.js";

const domainPattern =
  /^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number between ${min} and ${max}` })
    .int(`expected a whole number between ${min} and ${max}`)
    .min(min, `expected a whole number between ${min} and ${max}`)
    .max(max, `expected a whole number between ${min} and ${max}`);

function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_STATE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), ".local", "state"), "ccci");
}

/**
 * Every setting of ccci, read from `CCCI_*` environment variables (the CLI's flags override some).
 * The description of each entry is the documentation: docs/configuration.md is checked against it.
 */
export const settingsSchema = z.object({
  CCCI_DRIVER: z
    .enum(["swarm", "abra"], { error: "expected 'swarm' or 'abra'" })
    .default("swarm")
    .describe("Deploy driver: `abra` (Co-op Cloud's CLI) or `swarm` (plain `docker stack deploy`)."),
  CCCI_DOMAIN: z
    .string()
    .regex(domainPattern, "expected a lowercase DNS name such as ci.example.org")
    .default("ci.localhost")
    .describe(
      "Base domain of test apps: cold runs get `<recipe[:4]>-<6hex>.<base>`, canonicals `warm-<recipe>.<base>`.",
    ),
  CCCI_STATE_DIR: z
    .string()
    .min(1)
    .describe(
      "Directory for run directories, journals, registry and snapshots; default `$XDG_STATE_HOME/ccci` or `~/.local/state/ccci`.",
    ),
  CCCI_MAX_TESTS: wholeNumber(1, 64)
    .default(2)
    .describe("Most runs that may deploy at the same time, across all recipes."),
  CCCI_TIMEOUT: wholeNumber(5, 7200)
    .default(300)
    .describe("Convergence timeout in seconds when the recipe has no `coop-cloud.<stack>.timeout` label."),
  CCCI_MAX_REPLICAS: wholeNumber(1, 1000)
    .default(10)
    .describe(
      "Most replicas a recipe's service may ask for (`deploy.replicas`); a recipe asking for more is refused before anything is deployed.",
    ),
  CCCI_MAX_TIMEOUT: wholeNumber(5, 86400)
    .default(1800)
    .describe(
      "Longest convergence timeout in seconds a recipe may ask for with its `coop-cloud.<stack>.timeout` label; above it the recipe is refused.",
    ),
  CCCI_SETTLE_SECONDS: wholeNumber(0, 600)
    .default(5)
    .describe(
      "Seconds the same containers must keep running, every service N/N, after they first were all healthy " +
        "(crash loops flicker N/N). When every container has a healthcheck the asserts run inside the window " +
        "and `generic:settled` holds the rest of it. A quick run's reattach of the known-good goes without it.",
    ),
  CCCI_ASSERT_TIMEOUT: wholeNumber(1, 3600)
    .default(120)
    .describe("Seconds each custom assert (`tests/ccci/*`) may take."),
  CCCI_BACKUP_HOOK_TIMEOUT: wholeNumber(1, 3600)
    .default(120)
    .describe(
      "Seconds each backupbot pre/post hook of the backup and restore tiers may run in its container.",
    ),
  CCCI_BACKUP_MAX_MIB: wholeNumber(1, 65536)
    .default(1024)
    .describe(
      "MiB the backup tier may copy out of one labelled path (`docker cp`); a larger copy stops and fails the tier.",
    ),
  CCCI_SERVER: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]*$/, "expected a server name such as default")
    .default("default")
    .describe("abra server name the apps are created on (abra's local server is `default`)."),
  CCCI_ABRA_BIN: z.string().min(1).default("abra").describe("Path or name of the abra executable."),
  CCCI_DOCKER_BIN: z.string().min(1).default("docker").describe("Path or name of the docker executable."),
  CCCI_DOCKER_TIMEOUT: wholeNumber(5, 3600)
    .default(120)
    .describe(
      "Seconds any one docker call may take unless it has a bound of its own (pulls, deploys); then it is " +
        "killed and the step fails.",
    ),
  CCCI_RECIPES: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Enrolment file (YAML) of recipes that keep warm canonicals; default `<state dir>/recipes.yml`.",
    ),
  CCCI_QUICK_FALLBACK: z
    .enum(["cold", "decline"], { error: "expected 'cold' or 'decline'" })
    .default("cold")
    .describe("What `--quick` does when the recipe has no canonical: run cold instead, or decline the run."),
  CCCI_PROBE_IMAGE: z
    .string()
    .min(1)
    .default("ccci/busybox:local")
    .describe("Image with `wget` used to probe an app's HTTP port from inside its network."),
  // Settings owned by other rooms, defined beside the code that reads them:
  ...diskSettingsSchema.shape,
  ...sandboxSettingsSchema.shape,
  ...ssoSettingsSchema.shape,
  ...sweepSettingsSchema.shape,
  ...giteaSettingsSchema.shape,
  ...botSettingsSchema.shape,
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingName = keyof Settings;
export const settingNames = Object.keys(settingsSchema.shape) as SettingName[];

/** Reads every CCCI_* setting once; throws a UserError naming each bad variable. */
export function loadSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<SettingName, string | number>> = {},
): Settings {
  const raw: Record<string, unknown> = {};
  for (const name of settingNames) {
    const value = overrides[name] ?? env[name];
    if (value !== undefined && value !== "") raw[name] = value;
  }
  raw.CCCI_STATE_DIR ??= defaultStateDir(env);
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const given = raw[name] === undefined ? "" : ` (got ${JSON.stringify(String(raw[name]))})`;
      return `${name}: ${issue.message}${given}`;
    });
    throw new UserError("CONFIG_INVALID", `invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return parsed.data;
}
