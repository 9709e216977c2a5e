import { existsSync } from "node:fs";
import { join } from "node:path";
import { readRecipeFile } from "./recipe-files.js";

/**
 * abra.sh's `export NAME=value` lines (config versions such as `export APP_ENTRYPOINT_VERSION=v2`). abra
 * reads them (it never runs abra.sh: a line-by-line scan for `export`) and lays them over the app's env
 * at deploy time, so they win over the env file. Only literal values are taken: a line computing its
 * value (`$`, backticks, `(`) is skipped — abra would take its text literally, which no recipe means.
 * Surrounding quotes are dropped, as a shell would.
 */
export function abraShExports(checkoutDir: string): Record<string, string> {
  const path = join(checkoutDir, "abra.sh");
  if (!existsSync(path)) return {};
  const exports: Record<string, string> = {};
  for (const line of readRecipeFile(checkoutDir, "abra.sh").split(/\r?\n/)) {
    const match = /^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*(?:#.*)?$/.exec(line);
    if (!match || /[`$(]/.test(match[2]!)) continue;
    exports[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return exports;
}
