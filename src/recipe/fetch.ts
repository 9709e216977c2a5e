import { cp } from "node:fs/promises";
import type { RecipeSource } from "../engine/run.js";
import { UserError } from "../errors.js";
import { exec } from "../exec.js";

export interface FetchedRecipe {
  dir: string;
  /** The commit checked out; null for a plain directory copied as it is. */
  sha: string | null;
}

async function git(args: string[], cwd: string | undefined, signal?: AbortSignal) {
  // A clone that hangs (a stalled server) must not hold the run's lock for ever.
  const result = await exec("git", args, {
    cwd,
    signal,
    env: { GIT_TERMINAL_PROMPT: "0" },
    timeoutMs: 600_000,
  });
  if (result.spawnError) throw new Error(`cannot run git: ${result.spawnError}`);
  return result;
}

/** True when `path` is the top of a git work tree (not merely inside one). */
async function isGitTop(path: string): Promise<boolean> {
  const result = await git(["rev-parse", "--show-toplevel"], path);
  if (result.exitCode !== 0) return false;
  const top = await git(["rev-parse", "--show-prefix"], path);
  return top.exitCode === 0 && top.stdout.trim() === "";
}

/** Resolves `ref` to a commit in the clone: a SHA, a tag, or a branch of the origin. */
async function resolveRef(dir: string, ref: string, signal?: AbortSignal): Promise<string> {
  if (ref.startsWith("-") || /[\s~^:?*[\\]/.test(ref)) {
    throw new UserError("REF_NOT_FOUND", `invalid git ref ${JSON.stringify(ref)}`);
  }
  for (const candidate of [`refs/remotes/origin/${ref}`, `refs/tags/${ref}`, ref]) {
    const result = await git(["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`], dir, signal);
    if (result.exitCode === 0) return result.stdout.trim();
  }
  throw new UserError(
    "REF_NOT_FOUND",
    `git ref ${JSON.stringify(ref)} does not exist in the recipe repository`,
  );
}

/**
 * Checks the recipe out at `ref` (or the default branch head) into `dest` and pins the commit. A
 * directory that is not the top of a git repository is copied as it is (no ref allowed).
 */
export async function fetchRecipe(
  source: RecipeSource,
  ref: string | undefined,
  dest: string,
  signal?: AbortSignal,
): Promise<FetchedRecipe> {
  if (source.kind === "dir" && !(await isGitTop(source.path))) {
    if (ref)
      throw new UserError("USAGE", `--ref needs a git repository, and ${source.path} is not the top of one`);
    // Symlinks copied as written: a relative link inside the recipe must stay relative (and inside).
    await cp(source.path, dest, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !src.endsWith("/.git"),
    });
    return { dir: dest, sha: null };
  }
  const url = source.kind === "git" ? source.url : source.path;
  const clone = await git(["clone", "--quiet", "--no-checkout", "--", url, dest], undefined, signal);
  if (clone.exitCode !== 0) {
    throw new UserError("RECIPE_NOT_FOUND", `cannot clone ${url}: ${clone.stderr.trim().split("\n").pop()}`);
  }
  const pinned = ref !== undefined && /^[0-9a-f]{40}$/.test(ref);
  // A PR head SHA may not be on any branch of the clone: fetch it explicitly when it is not there yet,
  // from the head repository (a fork) when there is one — by SHA and without its tags, so that the
  // clone's tags and branches stay the base repository's.
  if (pinned) {
    const has = await git(["cat-file", "-e", `${ref}^{commit}`], dest, signal);
    const from = source.kind === "git" && source.headUrl ? source.headUrl : "origin";
    if (has.exitCode !== 0) await git(["fetch", "--quiet", "--no-tags", "--", from, ref], dest, signal);
  }
  const sha = await resolveRef(dest, ref ?? "HEAD", signal);
  if (pinned && sha !== ref)
    throw new UserError("REF_NOT_FOUND", `the pinned commit ${ref} is not in the repository (got ${sha})`);
  const checkout = await git(
    ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", sha],
    dest,
    signal,
  );
  if (checkout.exitCode !== 0) throw new Error(`git checkout ${sha} failed: ${checkout.stderr.trim()}`);
  const head = await git(["rev-parse", "HEAD"], dest, signal);
  if (head.stdout.trim() !== sha) throw new Error(`checked out ${head.stdout.trim()}, expected ${sha}`);
  return { dir: dest, sha };
}
