import { exec } from "../exec.js";

export type BaseChoice = { kind: "base"; sha: string; label: string } | { kind: "none"; reason: string };

export interface BaseHints {
  /** The canonical's known-good commit, when the recipe has one. */
  canonicalCommit?: string;
  /** The branch the pull request targets (e.g. `main`). */
  targetBranch?: string;
  /**
   * The clone holds a fork's head commit beside the base repository's refs: a canonical commit counts
   * only when a branch or tag of the base repository contains it (never a commit only the fork has).
   */
  upstreamOnly?: boolean;
}

async function git(dir: string, args: string[]): Promise<string | undefined> {
  const result = await exec("git", args, { cwd: dir, timeoutMs: 60_000 });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

const commitOf = (dir: string, ref: string) =>
  git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);

/** True when a branch (`origin/*`) or tag of the clone's own repository contains `sha`. */
async function inUpstream(dir: string, sha: string): Promise<boolean> {
  const refs = await git(dir, [
    "for-each-ref",
    "--count=1",
    "--contains",
    sha,
    "refs/remotes/origin",
    "refs/tags",
  ]);
  return Boolean(refs);
}

/** Co-op Cloud release tags (`1.2.0+3.4.5`) or plain versions (`v1.2`, `1.2.3`). */
const releaseTag = /^v?\d+(\.\d+)*([+-][A-Za-z0-9.+_-]+)?$/;

/** The newest release tag that is an ancestor of the head and not the head itself. */
async function previousRelease(dir: string, head: string): Promise<{ sha: string; tag: string } | undefined> {
  const tags =
    (await git(dir, ["tag", "--merged", head, "--sort=-v:refname"]))
      ?.split("\n")
      .filter((t) => releaseTag.test(t)) ?? [];
  for (const tag of tags) {
    const sha = await commitOf(dir, `refs/tags/${tag}`);
    if (sha && sha !== head) return { sha, tag };
  }
  return undefined;
}

/**
 * What to install before upgrading to the head: the canonical's known-good commit → the newest release
 * tag older than the head → the target branch head → nothing (the upgrade tier is skipped, with why).
 * A base equal to the head (a nightly run of the default branch) steps back one release.
 */
export async function chooseBase(
  dir: string | undefined,
  head: string | null,
  hints: BaseHints = {},
): Promise<BaseChoice> {
  if (!dir || !head)
    return {
      kind: "none",
      reason: "the recipe is a plain directory, not a git repository: no earlier version to upgrade from",
    };
  if (hints.canonicalCommit && hints.canonicalCommit !== head) {
    const sha = await commitOf(dir, hints.canonicalCommit);
    const upstream = sha && (!hints.upstreamOnly || (await inUpstream(dir, sha)));
    if (sha && sha !== head && upstream)
      return { kind: "base", sha, label: `canonical known-good ${sha.slice(0, 12)}` };
  }
  const release = await previousRelease(dir, head);
  if (release) return { kind: "base", sha: release.sha, label: `release ${release.tag}` };
  if (hints.targetBranch) {
    const sha = await commitOf(dir, `refs/remotes/origin/${hints.targetBranch}`);
    if (sha && sha !== head)
      return { kind: "base", sha, label: `${hints.targetBranch} head ${sha.slice(0, 12)}` };
  }
  return {
    kind: "none",
    reason: "no canonical, no release tag older than the head and no target branch to upgrade from",
  };
}
