import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import type { Run } from "../../../src/engine/run.js";

export const repoRoot = resolve(import.meta.dirname, "../../..");
export const fixture = (name: string) => join(repoRoot, "test/fixtures/recipes", name);
export const cliPath = join(repoRoot, "dist/cli.js");

/** A state dir of the test's own, so journals and run dirs of parallel suites never mix. */
export function tempStateDir(prefix = "ccci-e2e-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  run?: Run;
}

/** Runs the built `ccci` CLI (as a user would) and parses `--json` output when asked for. */
export async function ccci(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await execa("node", [cliPath, ...args], {
    reject: false,
    env: { CCCI_STATE_DIR: tempStateDir(), LOG_LEVEL: "warn", ...env },
    timeout: 300_000,
  });
  const stdout = String(result.stdout);
  let run: Run | undefined;
  if (args.includes("--json") && stdout.trim().startsWith("{")) run = JSON.parse(stdout) as Run;
  return { exitCode: result.exitCode ?? -1, stdout, stderr: String(result.stderr), run };
}
