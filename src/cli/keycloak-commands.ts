import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadSettings } from "../config.js";
import { createDeployer } from "../deploy/create-deployer.js";
import { DockerCli } from "../deploy/docker.js";
import { unfinishedJournals } from "../engine/journal.js";
import { UserError } from "../errors.js";
import { createLogger } from "../log.js";
import { fetchRecipe } from "../recipe/fetch.js";
import { planApp } from "../recipe/plan.js";
import { recipePolicy } from "../recipe/policy-allow.js";
import { Redactor } from "../redact.js";
import { reapWarmKeycloak, renderReapReport } from "../sso/reap-command.js";
import { type ReconcileTarget, reconcileWarmKeycloak } from "../sso/reconcile.js";
import { deployerTarget, localScriptTarget } from "../sso/reconcile-targets.js";
import { defaultEnrolmentPath, loadEnrolment } from "../warm/enrolment.js";
import { parseFlags } from "./parse-flags.js";

export const reapUsage = `usage: ccci reap [--dry-run]

Deletes this instance's realms on the warm Keycloak whose run is over (no unfinished journal) or older
than CCCI_REALM_TTL. Never touches master or a realm without this instance's owner tag.`;

/** `ccci reap [--dry-run]`: runs whose journal is unfinished count as live (the bot may still be doing them). */
export async function reapCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, { "dry-run": { type: "boolean", default: false } }, reapUsage);
  if (!parsed) return 0;
  if (parsed.positionals.length > 0) throw new UserError("USAGE", reapUsage);
  const { values } = parsed;
  const settings = loadSettings();
  const live = new Set(
    (await unfinishedJournals(settings.CCCI_STATE_DIR)).map((j) =>
      j.path
        .split("/")
        .pop()!
        .replace(/\.jsonl$/, ""),
    ),
  );
  const dryRun = values["dry-run"];
  const report = await reapWarmKeycloak(
    process.env,
    { dryRun, isLive: (runId) => live.has(runId) },
    createLogger(process.env.LOG_LEVEL ?? "warn"),
  );
  if (!report) {
    console.log("no warm Keycloak configured (CCCI_KEYCLOAK_URL): nothing to reap");
    return 0;
  }
  console.log(renderReapReport(report, dryRun));
  return report.failed.length > 0 ? 1 : 0;
}

export const warmKeycloakUsage = `usage: ccci warm-keycloak reconcile [--local-script PATH] [--recipe GIT_URL]

Converges the warm Keycloak to deployed and healthy: nothing when it answers, else deploy it and wait.
--local-script runs a development Keycloak (scripts/keycloak-up.sh); otherwise the Co-op Cloud keycloak
recipe (--recipe) is deployed through CCCI_DRIVER at the host of CCCI_KEYCLOAK_PUBLIC_URL/CCCI_KEYCLOAK_URL.`;

const enrolmentOf = (settings: ReturnType<typeof loadSettings>) =>
  loadEnrolment(settings.CCCI_RECIPES ?? defaultEnrolmentPath(settings.CCCI_STATE_DIR));

async function recipeTarget(
  recipeUrl: string,
  url: string,
): Promise<{ target: ReconcileTarget; cleanup: () => Promise<void> }> {
  const settings = loadSettings();
  const dir = await mkdtemp(join(tmpdir(), "ccci-keycloak-"));
  const fetched = await fetchRecipe({ kind: "git", url: recipeUrl }, undefined, join(dir, "keycloak"));
  const domain = new URL(url).hostname;
  const { plan } = planApp({
    recipe: "keycloak",
    checkoutDir: fetched.dir,
    sha: fetched.sha,
    domain,
    server: settings.CCCI_SERVER,
    runDir: dir,
    // The operator named this recipe; its exceptions come from the enrolment like any other recipe's.
    policy: recipePolicy(settings, (await enrolmentOf(settings)).recipes.keycloak?.allow),
  });
  const docker = new DockerCli(settings.CCCI_DOCKER_BIN, settings.CCCI_DOCKER_TIMEOUT * 1000);
  const log = createLogger(process.env.LOG_LEVEL ?? "warn");
  const target = deployerTarget(url, createDeployer(settings, docker), plan, {
    log,
    redactor: new Redactor(),
    record: async () => {},
  });
  return { target, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `ccci warm-keycloak reconcile`: what the nix oneshot and its timer run. */
export async function warmKeycloakCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags(
    argv,
    { "local-script": { type: "string" }, recipe: { type: "string" } },
    warmKeycloakUsage,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals[0] !== "reconcile" || positionals.length !== 1)
    throw new UserError("USAGE", warmKeycloakUsage);
  const settings = loadSettings();
  const log = createLogger(process.env.LOG_LEVEL ?? "info");
  const url = settings.CCCI_KEYCLOAK_PUBLIC_URL ?? settings.CCCI_KEYCLOAK_URL;
  let made: { target: ReconcileTarget; cleanup: () => Promise<void> };
  if (values["local-script"])
    made = {
      target: localScriptTarget(resolve(values["local-script"]), process.env),
      cleanup: async () => {},
    };
  else if (!url)
    throw new UserError("CONFIG_INVALID", "CCCI_KEYCLOAK_URL must be set to reconcile the warm Keycloak");
  else made = await recipeTarget(values.recipe ?? "https://git.coopcloud.tech/coop-cloud/keycloak.git", url);
  try {
    const report = await reconcileWarmKeycloak(made.target, { timeoutMs: 600_000 }, log);
    console.log(report.message);
    return report.healthy ? 0 : 1;
  } finally {
    await made.cleanup();
  }
}
