import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AppPlan, SecretSpec } from "../deploy/deployer.js";
import { deployEnv } from "../deploy/swarm-driver.js";
import { UserError } from "../errors.js";
import { type ComposeModel, composeFilesOf, loadCompose } from "./compose.js";
import { envToRecord, parseEnvFile } from "./env-file.js";
import { checkNameLimits, stackName, versionedName } from "./naming.js";
import { checkComposePolicy } from "./policy.js";
import { type RecipePolicy, strictPolicy } from "./policy-allow.js";
import { readRecipeFile, refuseEscapingSymlinks } from "./recipe-files.js";

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
  /** The compose policy's caps and the operator's exceptions for the recipe; the strict policy if absent. */
  policy?: RecipePolicy;
}

/**
 * abra.sh's `export NAME=value` lines (config versions such as `ENTRYPOINT_CONF_VERSION=v1`), which abra
 * makes available to compose interpolation. Only plain assignments are read: abra.sh is not executed.
 */
function abraShExports(checkoutDir: string): Record<string, string> {
  const path = join(checkoutDir, "abra.sh");
  if (!existsSync(path)) return {};
  const exports = readRecipeFile(checkoutDir, "abra.sh")
    .split(/\r?\n/)
    .filter((line) => /^\s*export\s+[A-Za-z_][A-Za-z0-9_]*=/.test(line) && !/[`$(]/.test(line));
  return envToRecord(parseEnvFile(exports.join("\n")));
}

const secretVersionKey = /^SECRET_([A-Z0-9_]+)_VERSION$/;

function secretsOf(entries: ReturnType<typeof parseEnvFile>, stack: string): SecretSpec[] {
  return entries.flatMap((entry) => {
    const match = secretVersionKey.exec(entry.key);
    if (!match) return [];
    const lengthHint = /length=(\d+)/.exec(entry.comment ?? "");
    const name = match[1]!.toLowerCase();
    const length = lengthHint ? Number(lengthHint[1]) : 32;
    if (!/^v?[A-Za-z0-9]+$/.test(entry.value)) {
      throw new UserError(
        "RECIPE_INVALID",
        `${entry.key}=${entry.value} in .env.sample is not a version like v1`,
      );
    }
    return [
      {
        name,
        version: entry.value,
        length: Math.min(Math.max(length, 8), 512),
        dockerName: versionedName(stack, name, entry.value),
      },
    ];
  });
}

function httpTarget(compose: ComposeModel, stack: string): RecipeInfo["http"] {
  const key = `traefik.http.services.${stack}.loadbalancer.server.port`;
  const candidates = [...compose.services.values()].filter((s) => s.labels[key]);
  const chosen = candidates.find((s) => s.name === "app") ?? candidates[0];
  if (!chosen) return undefined;
  const port = Number(chosen.labels[key]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UserError(
      "RECIPE_INVALID",
      // Never the value: it is interpolated, and a recipe could route a secret into it.
      `label ${key} on service ${chosen.name} is not a port (1 to 65535)`,
    );
  }
  return { service: chosen.name, port };
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

/** Reads the checked-out recipe and plans its app: env, secrets, compose files, names (limits checked). */
export function planApp(input: PlanInput): RecipeInfo {
  const stack = stackName(input.domain);
  // Before any file is read: nothing in the checkout may lead out of it.
  refuseEscapingSymlinks(input.checkoutDir);
  const samplePath = join(input.checkoutDir, ".env.sample");
  const entries = existsSync(samplePath)
    ? parseEnvFile(readRecipeFile(input.checkoutDir, ".env.sample"))
    : [];
  const env: Record<string, string> = {
    ...abraShExports(input.checkoutDir),
    ...envToRecord(entries),
    TYPE: input.recipe,
    DOMAIN: input.domain,
  };
  if (!env.COMPOSE_FILE && !existsSync(join(input.checkoutDir, "compose.yml"))) {
    if (existsSync(join(input.checkoutDir, "docker-compose.yml"))) env.COMPOSE_FILE = "docker-compose.yml";
    else
      throw new UserError(
        "RECIPE_INVALID",
        "the recipe has no compose.yml (and no COMPOSE_FILE in .env.sample)",
      );
  }
  const composeFiles = composeFilesOf(env, input.checkoutDir);
  const secrets = secretsOf(entries, stack);
  const compose = loadCompose(input.checkoutDir, composeFiles, { ...env, STACK_NAME: stack });
  checkNameLimits([
    ...secrets.map((s) => ({ kind: "secret" as const, name: s.dockerName })),
    ...[...compose.services.keys()].map((s) => ({ kind: "service" as const, name: `${stack}_${s}` })),
    ...compose.volumes.map((v) => ({ kind: "volume" as const, name: `${stack}_${v}` })),
    ...compose.objectNames.filter((o) => !secrets.some((s) => s.dockerName === o.name)),
  ]);
  const { policy, ...where } = input;
  const plan: AppPlan = {
    ...where,
    stack,
    env,
    composeFiles,
    secrets,
    services: [...compose.services.keys()],
  };
  checkComposePolicy(
    { checkoutDir: input.checkoutDir, composeFiles, env: deployEnv(plan), stack },
    policy ?? strictPolicy,
  );
  return { plan, compose, timeoutSeconds: timeoutOf(compose, stack), http: httpTarget(compose, stack) };
}
