import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AppPlan } from "../deploy/deployer.js";
import { deployEnv } from "../deploy/swarm-driver.js";
import { UserError } from "../errors.js";
import { abraShExports } from "./abra-sh.js";
import { type ComposeModel, composeFilesOf, loadCompose } from "./compose.js";
import { httpTarget } from "./http-target.js";
import { checkNameLimits, stackName } from "./naming.js";
import { checkComposePolicy } from "./policy.js";
import { type RecipePolicy, strictPolicy } from "./policy-allow.js";
import { refuseEscapingSymlinks } from "./recipe-files.js";
import { planSecrets } from "./recipe-secrets.js";
import { readSampleEnv } from "./sample-env.js";

export interface RecipeInfo {
  plan: AppPlan;
  compose: ComposeModel;
  /** From the `coop-cloud.<stack>.timeout` label, if the recipe sets one. */
  timeoutSeconds?: number;
  /** The service and port Traefik would route to (`traefik.http.services.<stack>.loadbalancer.server.port`). */
  http?: { service: string; port: number };
}

export interface PlanInput {
  recipe: string;
  checkoutDir: string;
  sha: string | null;
  domain: string;
  server: string;
  runDir: string;
  /**
   * Settings laid over the app's env after `.env.sample` and abra.sh: an optional overlay tier's
   * `COMPOSE_FILE` and env from `ccci.yml`.
   */
  envOverrides?: Record<string, string>;
  /** The compose policy's caps and the operator's exceptions for the recipe; the strict policy if absent. */
  policy?: RecipePolicy;
}

function timeoutOf(compose: ComposeModel, stack: string): number | undefined {
  const key = `coop-cloud.${stack}.timeout`;
  const service = compose.services.get("app") ?? [...compose.services.values()].find((s) => s.labels[key]);
  const raw = service?.labels[key];
  if (raw === undefined || raw === "") return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UserError("RECIPE_INVALID", `label ${key} is not a number of seconds`);
  }
  return seconds;
}

/**
 * The app's env as abra deploys it: `.env.sample` with the app's DOMAIN and TYPE written in (later lines
 * see them), then abra.sh's exports laid over it (abra does so at deploy time: they win), then overrides.
 */
function appEnv(input: PlanInput) {
  const entries = readSampleEnv(input.checkoutDir, input.recipe, input.domain);
  const env: Record<string, string> = {
    ...Object.fromEntries(entries.map((e) => [e.key, e.value])),
    ...abraShExports(input.checkoutDir),
    TYPE: input.recipe,
    DOMAIN: input.domain,
    ...input.envOverrides,
  };
  return { entries, env };
}

/** Reads the checked-out recipe and plans its app: env, secrets, compose files, names (limits checked). */
export function planApp(input: PlanInput): RecipeInfo {
  const { envOverrides: _overrides, policy, ...planned } = input;
  const stack = stackName(input.domain);
  // Before any file is read: nothing in the checkout may lead out of it.
  refuseEscapingSymlinks(input.checkoutDir);
  const { entries, env } = appEnv(input);
  if (!env.COMPOSE_FILE && !existsSync(join(input.checkoutDir, "compose.yml"))) {
    if (existsSync(join(input.checkoutDir, "docker-compose.yml"))) env.COMPOSE_FILE = "docker-compose.yml";
    else
      throw new UserError(
        "RECIPE_INVALID",
        "the recipe has no compose.yml (and no COMPOSE_FILE in .env.sample)",
      );
  }
  const composeFiles = composeFilesOf(env, input.checkoutDir);
  const compose = loadCompose(input.checkoutDir, composeFiles, { ...env, STACK_NAME: stack });
  const secrets = planSecrets(compose, entries, stack);
  checkNameLimits([
    ...secrets.map((s) => ({ kind: "secret" as const, name: s.dockerName })),
    ...[...compose.services.keys()].map((s) => ({ kind: "service" as const, name: `${stack}_${s}` })),
    ...compose.volumes.map((v) => ({ kind: "volume" as const, name: `${stack}_${v}` })),
    ...compose.objectNames.filter((o) => !secrets.some((s) => s.dockerName === o.name)),
  ]);
  const app = compose.services.get("app");
  const plan: AppPlan = {
    ...planned,
    stack,
    env,
    composeFiles,
    secrets,
    services: [...compose.services.keys()],
    ...(app ? { appEnvironmentKeys: app.environmentKeys } : {}),
  };
  checkComposePolicy(
    { checkoutDir: input.checkoutDir, composeFiles, env: deployEnv(plan), stack },
    policy ?? strictPolicy,
  );
  return { plan, compose, timeoutSeconds: timeoutOf(compose, stack), http: httpTarget(compose, stack) };
}
