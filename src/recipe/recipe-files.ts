import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { UserError } from "../errors.js";

/**
 * A pull request's checkout is hostile: a symlink in it may point at /etc/shadow, the bot's key file or
 * the Docker socket. Everything ccci reads from a recipe goes through here, and the whole checkout is
 * scanned before it is planned, so no path that leaves the checkout is ever followed.
 */

/** Most directory entries a checkout may hold; beyond it the scan (and the run) is refused. */
export const MAX_CHECKOUT_ENTRIES = 50_000;

/** True when `path` (absolute) is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Where a symlink points, resolved as far as it exists (a dangling link resolves lexically). */
function linkTarget(link: string): string {
  try {
    return realpathSync(link);
  } catch {
    return resolve(dirname(link), readlinkSync(link));
  }
}

/**
 * Refuses a checkout holding a symlink that resolves outside it (`.git` is ccci's own and skipped).
 * Symlinks that stay inside are fine: recipes share files between overlays that way.
 */
export function refuseEscapingSymlinks(checkoutDir: string, maxEntries = MAX_CHECKOUT_ENTRIES): void {
  const root = realpathSync(checkoutDir);
  const pending = [root];
  let seen = 0;
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (dir === root && entry.name === ".git") continue;
      if (++seen > maxEntries)
        throw new UserError(
          "RECIPE_POLICY",
          `the checkout holds more than ${maxEntries} files and directories; refused`,
        );
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isSymbolicLink() && !isInside(root, linkTarget(path)))
        throw new UserError(
          "RECIPE_POLICY",
          `${relative(root, path)} is a symlink that leaves the recipe's checkout; refused`,
        );
    }
  }
}

/**
 * The real path of `rel` inside the checkout, refused when it (or a symlink on the way) leaves it.
 * `what` names the reference in the error, e.g. `compose.yml: configs.nginx.file`.
 */
export function resolveInsideCheckout(checkoutDir: string, rel: string, what: string): string {
  const root = realpathSync(checkoutDir);
  const lexical = resolve(root, rel);
  if (!isInside(root, lexical))
    throw new UserError("RECIPE_POLICY", `${what}: path ${rel} leaves the recipe's checkout; refused`);
  if (!existsSync(lexical)) return lexical;
  const real = realpathSync(lexical);
  if (!isInside(root, real))
    throw new UserError(
      "RECIPE_POLICY",
      `${what}: path ${rel} resolves outside the recipe's checkout (a symlink); refused`,
    );
  return real;
}

/** Reads a recipe file as text, refusing one that resolves outside the checkout. */
export function readRecipeFile(checkoutDir: string, rel: string): string {
  const path = resolveInsideCheckout(checkoutDir, rel, rel);
  if (lstatSync(path).isDirectory())
    throw new UserError("RECIPE_INVALID", `${rel} in the recipe is a directory, not a file`);
  return readFileSync(path, "utf8");
}

/** True when the recipe has `rel` (without following it out of the checkout). */
export function recipeHasFile(checkoutDir: string, rel: string): boolean {
  return existsSync(resolveInsideCheckout(checkoutDir, rel, rel));
}
