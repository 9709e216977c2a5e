import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

const identity = {
  GIT_AUTHOR_NAME: "ccci test",
  GIT_AUTHOR_EMAIL: "test@ccci.invalid",
  GIT_COMMITTER_NAME: "ccci test",
  GIT_COMMITTER_EMAIL: "test@ccci.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await execa("git", args, { cwd, env: identity });
  return result.stdout.trim();
}

async function commit(dir: string, version: string): Promise<string> {
  writeFileSync(join(dir, "VERSION"), `${version}\n`);
  await git(dir, "add", "VERSION");
  await git(dir, "commit", "-q", "-m", version);
  return git(dir, "rev-parse", "HEAD");
}

/**
 * A recipe repository with a known history (each commit writes its name into VERSION):
 *   main:    first (tag v1) → second (head)
 *   feature: second → third
 *   pull:    first → hidden, reachable only from refs/pull/1/head (like a PR head on GitHub)
 */
export interface RecipeRepo {
  dir: string;
  first: string;
  second: string;
  third: string;
  hidden: string;
}

export async function createRecipeRepo(): Promise<RecipeRepo> {
  const dir = join(mkdtempSync(join(tmpdir(), "ccci-git-")), "demo");
  await execa("git", ["init", "-q", "-b", "main", dir]);
  writeFileSync(join(dir, "compose.yml"), "services:\n  app:\n    image: x\n");
  await git(dir, "add", "compose.yml");
  const first = await commit(dir, "first");
  await git(dir, "tag", "v1");
  const second = await commit(dir, "second");
  await git(dir, "checkout", "-q", "-b", "feature");
  const third = await commit(dir, "third");
  await git(dir, "checkout", "-q", "--detach", first);
  const hidden = await commit(dir, "hidden");
  await git(dir, "update-ref", "refs/pull/1/head", hidden);
  await git(dir, "checkout", "-q", "main");
  return { dir, first, second, third, hidden };
}
