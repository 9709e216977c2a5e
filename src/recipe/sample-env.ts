import { existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { type EnvEntry, EnvFileError, parseEnvFile } from "./env-file.js";
import { readRecipeFile } from "./recipe-files.js";

/**
 * `.env.sample` read as the app's env file that `abra app new` makes from it: abra replaces
 * `<recipe>.example.com` with the app's domain in the text (aliases like `www.<recipe>.example.com`
 * follow), and the file's DOMAIN and TYPE lines hold the app's own, visible to the lines after them.
 */
export function readSampleEnv(checkoutDir: string, recipe: string, domain: string): EnvEntry[] {
  const path = join(checkoutDir, ".env.sample");
  if (!existsSync(path)) return [];
  const text = readRecipeFile(checkoutDir, ".env.sample").replaceAll(`${recipe}.example.com`, domain);
  try {
    return parseEnvFile(text, { overrides: { DOMAIN: domain, TYPE: recipe } });
  } catch (error) {
    if (error instanceof EnvFileError) throw new UserError("RECIPE_INVALID", `.env.sample: ${error.message}`);
    throw error;
  }
}
