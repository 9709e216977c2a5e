import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { RecipeSource } from "../engine/run.js";
import { UserError } from "../errors.js";

const urlPattern = /^(https?|file|ssh|git):\/\/[^\s]+$/;
const scpLikePattern = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/;

/** Turns the CLI's `<recipe dir | git url>` into a source, or a usage error that names the problem. */
export function resolveSource(arg: string, cwd = process.cwd()): RecipeSource {
  if (arg.trim() === "") throw new UserError("USAGE", "missing recipe: give a recipe directory or a git URL");
  if (urlPattern.test(arg) || scpLikePattern.test(arg)) {
    if (arg.startsWith("file://")) {
      const path = decodeURIComponent(new URL(arg).pathname);
      if (!existsSync(path))
        throw new UserError("RECIPE_NOT_FOUND", `recipe repository ${arg} does not exist`);
    }
    return { kind: "git", url: arg };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) {
    throw new UserError(
      "USAGE",
      `unsupported URL ${JSON.stringify(arg)}: use https://, ssh://, git:// or file://`,
    );
  }
  const path = resolve(cwd, arg);
  if (!existsSync(path)) throw new UserError("RECIPE_NOT_FOUND", `recipe directory ${path} does not exist`);
  if (!statSync(path).isDirectory()) throw new UserError("RECIPE_NOT_FOUND", `${path} is not a directory`);
  return { kind: "dir", path };
}

/** The recipe name a source implies: the repository or directory name, without `.git`. */
export function recipeNameOf(source: RecipeSource): string {
  const raw =
    source.kind === "git" ? source.url.replace(/[/]+$/, "").split(/[/:]/).pop() : basename(source.path);
  return (raw ?? "").replace(/\.git$/, "");
}
