import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Redactor } from "../../redact.js";
import { formatBytes } from "../../tail-buffer.js";
import type { AssertResult } from "../run.js";
import { runSandboxed, type SandboxRun } from "./sandbox.js";
import { SANDBOX_EXEC_SOCKET, SANDBOX_RECIPE_DIR } from "./sandbox-args.js";

/** Where a recipe keeps its own asserts: executables run in name order after the generic asserts. */
export const CUSTOM_ASSERTS_DIR = "tests/ccci";

export interface CustomAssertEnv {
  runId: string;
  recipe: string;
  domain: string;
  stack: string;
  /** Short compose service names of the app. */
  services: string[];
  /** The main service (the one Traefik routes to, else `app`). */
  appService: string;
  httpPort?: number;
  /** True when the sandbox shares the app container's network (its 127.0.0.1 is the app's). */
  sharesAppNetwork: boolean;
}

/**
 * The documented contract (docs/custom-asserts.md): what a custom assert finds in its environment inside
 * the sandbox — the run's own names and nothing of ccci's.
 */
export function customAssertEnvironment(input: CustomAssertEnv): Record<string, string> {
  const appService = `${input.stack}_${input.appService}`;
  const env: Record<string, string> = {
    CCCI_RUN_ID: input.runId,
    CCCI_RECIPE: input.recipe,
    CCCI_RECIPE_DIR: SANDBOX_RECIPE_DIR,
    CCCI_APP_DOMAIN: input.domain,
    CCCI_STACK_NAME: input.stack,
    CCCI_APP_SERVICE: appService,
    CCCI_HTTP_PORT: input.httpPort ? String(input.httpPort) : "",
    // The app's own loopback when the sandbox shares its network: no dependence on swarm's virtual IPs.
    CCCI_APP_URL: !input.httpPort
      ? ""
      : input.sharesAppNetwork
        ? `http://127.0.0.1:${input.httpPort}/`
        : `http://${appService}:${input.httpPort}/`,
    CCCI_EXEC_SOCKET: SANDBOX_EXEC_SOCKET,
  };
  for (const service of input.services) {
    env[`CCCI_SERVICE_${service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`] = `${input.stack}_${service}`;
  }
  return env;
}

/** Asserts are named like files of a recipe: no spaces, quotes or control characters. */
const ASSERT_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** Files in tests/ccci/ (or a subdirectory, e.g. after-install/) that are asserts: not hidden, not docs. */
export async function listCustomAsserts(recipeDir: string, subdir = ""): Promise<string[]> {
  const dir = join(recipeDir, CUSTOM_ASSERTS_DIR, subdir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith(".") || /\.(md|txt)$/i.test(name)) continue;
    // A symlink counts (and is refused when it runs, naming why); a directory (after-install/) does not.
    const entry = await lstat(join(dir, name));
    if (entry.isFile() || entry.isSymbolicLink()) files.push(subdir ? `${subdir}/${name}` : name);
  }
  return files;
}

/** Why the assert cannot run at all, before any container starts; undefined when it may. */
export async function refuseAssert(recipeDir: string, name: string): Promise<string | undefined> {
  const path = join(recipeDir, CUSTOM_ASSERTS_DIR, name);
  if (!name.split("/").every((part) => ASSERT_NAME.test(part)))
    return `${JSON.stringify(name)} is not a usable assert name (letters, digits, ".", "_", "+", "-")`;
  const entry = await lstat(path);
  if (entry.isSymbolicLink()) {
    const root = await realpath(recipeDir);
    const target = await realpath(path).catch(() => undefined);
    const inside =
      target !== undefined && !relative(root, target).startsWith(`..`) && target.startsWith(root + sep);
    if (!inside)
      return `${CUSTOM_ASSERTS_DIR}/${name} is a symlink that leaves the checkout; ccci does not follow it`;
  }
  const target = await stat(path);
  if (!target.isFile()) return `${CUSTOM_ASSERTS_DIR}/${name} is not a file`;
  if ((target.mode & 0o111) === 0) return `${CUSTOM_ASSERTS_DIR}/${name} is not executable (chmod +x it)`;
  return undefined;
}

const tail = (text: string, lines = 20) => text.trim().split("\n").slice(-lines).join("\n");

export type CustomAssertRun = Omit<SandboxRun, "path" | "checkoutDir">;

/**
 * Runs one custom assert in its sandbox; exit 0 passes. Output (redacted, the last lines of a bounded
 * tail) is the detail, with why it stopped when it did not finish on its own.
 */
export async function runCustomAssert(
  recipeDir: string,
  name: string,
  run: CustomAssertRun,
  redactor: Redactor,
): Promise<AssertResult> {
  const started = Date.now();
  const result = (detail: string, passed: boolean): AssertResult => ({
    name: `custom:${name}`,
    kind: "custom",
    passed,
    durationMs: Date.now() - started,
    detail: redactor.redact(detail),
  });
  const refused = await refuseAssert(recipeDir, name);
  if (refused) return result(refused, false);
  const ran = await runSandboxed({ ...run, checkoutDir: recipeDir, path: `${CUSTOM_ASSERTS_DIR}/${name}` });
  let output = tail(`${ran.stdout}\n${ran.stderr}`);
  if (ran.truncated) output += `\n(output truncated to the last ${formatBytes(run.maxOutputBytes)})`;
  if (ran.spawnError) return result(`cannot run docker: ${ran.spawnError}`, false);
  if (ran.cancelled)
    return result(`stopped: the run was cancelled; the sandbox was killed\n${output}`, false);
  if (ran.interrupted)
    return result(
      `stopped after ${Math.round(run.timeoutMs / 1000)} s (CCCI_ASSERT_TIMEOUT); the sandbox was killed with everything it started\n${output}`,
      false,
    );
  if (ran.exitCode === 125 && /docker: |Error response from daemon|No such image/i.test(ran.stderr))
    return result(`the sandbox did not start (image ${run.image}): ${tail(ran.stderr, 3)}`, false);
  if (ran.exitCode === 137)
    return result(`killed (exit 137: out of memory at ${run.memoryMb} MiB, or a signal)\n${output}`, false);
  return result(ran.exitCode === 0 ? output || "ok" : `exit ${ran.exitCode}\n${output}`, ran.exitCode === 0);
}
