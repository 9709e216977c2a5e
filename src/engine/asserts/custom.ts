import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { exec } from "../../exec.js";
import type { Redactor } from "../../redact.js";
import type { AssertResult } from "../run.js";

/** Where a recipe keeps its own asserts: executables run in name order after the generic asserts. */
export const CUSTOM_ASSERTS_DIR = "tests/ccci";

export interface CustomAssertEnv {
  runId: string;
  recipe: string;
  recipeDir: string;
  domain: string;
  stack: string;
  /** Short compose service names of the app. */
  services: string[];
  /** The main service (the one Traefik routes to, else `app`). */
  appService: string;
  appContainer?: string;
  httpPort?: number;
}

/** The documented contract (docs/custom-asserts.md): what a custom assert finds in its environment. */
export function customAssertEnvironment(input: CustomAssertEnv): Record<string, string> {
  const env: Record<string, string> = {
    CCCI_RUN_ID: input.runId,
    CCCI_RECIPE: input.recipe,
    CCCI_RECIPE_DIR: input.recipeDir,
    CCCI_APP_DOMAIN: input.domain,
    CCCI_STACK_NAME: input.stack,
    CCCI_APP_SERVICE: `${input.stack}_${input.appService}`,
    CCCI_APP_CONTAINER: input.appContainer ?? "",
    CCCI_HTTP_PORT: input.httpPort ? String(input.httpPort) : "",
  };
  for (const service of input.services) {
    env[`CCCI_SERVICE_${service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`] = `${input.stack}_${service}`;
  }
  return env;
}

/** Files in tests/ccci/ (or a subdirectory, e.g. after-install/) that are asserts: not hidden, not docs. */
export async function listCustomAsserts(recipeDir: string, subdir = ""): Promise<string[]> {
  const dir = join(recipeDir, CUSTOM_ASSERTS_DIR, subdir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith(".") || /\.(md|txt)$/i.test(name)) continue;
    if ((await stat(join(dir, name))).isFile()) files.push(subdir ? `${subdir}/${name}` : name);
  }
  return files;
}

const tail = (text: string, lines = 20) => text.trim().split("\n").slice(-lines).join("\n");

/** Runs one custom assert; exit 0 passes. Output (redacted, last lines) is the detail. */
export async function runCustomAssert(
  recipeDir: string,
  name: string,
  env: Record<string, string>,
  timeoutMs: number,
  redactor: Redactor,
  signal: AbortSignal,
): Promise<AssertResult> {
  const path = join(recipeDir, CUSTOM_ASSERTS_DIR, name);
  const started = Date.now();
  const result = (detail: string, passed: boolean): AssertResult => ({
    name: `custom:${name}`,
    kind: "custom",
    passed,
    durationMs: Date.now() - started,
    detail: redactor.redact(detail),
  });
  if (
    !(await access(path, constants.X_OK).then(
      () => true,
      () => false,
    ))
  ) {
    return result(`${CUSTOM_ASSERTS_DIR}/${name} is not executable (chmod +x it)`, false);
  }
  const run = await exec(path, [], { cwd: recipeDir, env, timeoutMs, signal });
  const output = tail(`${run.stdout}\n${run.stderr}`);
  if (run.spawnError) return result(`cannot run: ${run.spawnError}`, false);
  if (run.interrupted)
    return result(`stopped after ${Math.round(timeoutMs / 1000)} s (timeout or cancel)\n${output}`, false);
  return result(run.exitCode === 0 ? output || "ok" : `exit ${run.exitCode}\n${output}`, run.exitCode === 0);
}
