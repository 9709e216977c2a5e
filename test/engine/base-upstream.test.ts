import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { chooseBase } from "../../src/engine/base-version.js";
import { fetchRecipe } from "../../src/recipe/fetch.js";
import { git } from "../support/git-repo.js";

async function commit(dir: string, name: string): Promise<string> {
  writeFileSync(join(dir, "VERSION"), `${name}\n`);
  await git(dir, "add", "VERSION");
  await git(dir, "commit", "-q", "-m", name);
  return git(dir, "rev-parse", "HEAD");
}

/**
 * An upstream recipe (release 1.0.0+1, then main) and a fork of it whose author added an unreviewed
 * commit, tagged it as a newer release and moved the fork's main there, then opened a pull request
 * whose head builds on it. The pull request's diff against upstream main shows both commits, but the
 * base version installed before the upgrade must be upstream's, never the fork's tag or main.
 */
async function forkShapes() {
  const root = mkdtempSync(join(tmpdir(), "ccci-fork-"));
  const upstream = join(root, "upstream");
  await execa("git", ["init", "-q", "-b", "main", upstream]);
  const release = await commit(upstream, "release");
  await git(upstream, "tag", "1.0.0+1");
  const upstreamMain = await commit(upstream, "upstream-main");
  const fork = join(root, "fork");
  await execa("git", ["clone", "-q", upstream, fork]);
  const unreviewed = await commit(fork, "unreviewed");
  await git(fork, "tag", "9.9.9+9");
  // The fork's main stays at the unreviewed commit; the pull request's branch builds on it.
  await git(fork, "checkout", "-q", "-b", "pr");
  const head = await commit(fork, "pr-head");
  return { upstream, fork, release, upstreamMain, unreviewed, head, root };
}

describe("a fork's pull request: base from upstream, head as pinned", () => {
  it("chooses upstream's release tag, not the fork's newer tag on an unreviewed commit", async () => {
    const shapes = await forkShapes();
    const dest = join(shapes.root, "run-head");
    const fetched = await fetchRecipe(
      { kind: "git", url: shapes.upstream, headUrl: shapes.fork },
      shapes.head,
      dest,
    );
    expect(fetched.sha).toBe(shapes.head);
    expect(await git(dest, "rev-parse", "HEAD")).toBe(shapes.head);
    expect(await git(dest, "tag")).toBe("1.0.0+1");
    const base = await chooseBase(dest, fetched.sha, { targetBranch: "main", upstreamOnly: true });
    expect(base).toEqual({ kind: "base", sha: shapes.release, label: "release 1.0.0+1" });

    // What ccci did before: the fork's clone, whose tag the pull request's author chose.
    const old = join(shapes.root, "old-head");
    await fetchRecipe({ kind: "git", url: shapes.fork }, shapes.head, old);
    expect(await chooseBase(old, shapes.head, { targetBranch: "main" })).toMatchObject({
      sha: shapes.unreviewed,
    });
  });

  it("chooses upstream's main, not the fork's, when there is no release tag", async () => {
    const shapes = await forkShapes();
    await git(shapes.upstream, "tag", "-d", "1.0.0+1");
    const dest = join(shapes.root, "run-head");
    await fetchRecipe({ kind: "git", url: shapes.upstream, headUrl: shapes.fork }, shapes.head, dest);
    const base = await chooseBase(dest, shapes.head, { targetBranch: "main", upstreamOnly: true });
    expect(base).toMatchObject({ kind: "base", sha: shapes.upstreamMain });
    expect(await git(dest, "rev-parse", "refs/remotes/origin/main")).toBe(shapes.upstreamMain);
  });

  it("does not take a canonical commit that only the fork has", async () => {
    const shapes = await forkShapes();
    const dest = join(shapes.root, "run-head");
    await fetchRecipe({ kind: "git", url: shapes.upstream, headUrl: shapes.fork }, shapes.head, dest);
    // The fork's commit is in the clone (it is the head's parent), but no upstream ref holds it.
    const forkOnly = await chooseBase(dest, shapes.head, {
      canonicalCommit: shapes.unreviewed,
      targetBranch: "main",
      upstreamOnly: true,
    });
    expect(forkOnly).toMatchObject({ label: "release 1.0.0+1" });
    const upstreamCanonical = await chooseBase(dest, shapes.head, {
      canonicalCommit: shapes.upstreamMain,
      upstreamOnly: true,
    });
    expect(upstreamCanonical).toMatchObject({
      sha: shapes.upstreamMain,
      label: expect.stringMatching(/^canonical/),
    });
  });

  it("fetches the pinned SHA, not the fork's moved branch, and refuses a SHA the fork does not have", async () => {
    const shapes = await forkShapes();
    const pinned = shapes.head;
    await commit(shapes.fork, "pushed-after-the-comment");
    const dest = join(shapes.root, "run-head");
    const fetched = await fetchRecipe(
      { kind: "git", url: shapes.upstream, headUrl: shapes.fork },
      pinned,
      dest,
    );
    expect(fetched.sha).toBe(pinned);
    await expect(
      fetchRecipe(
        { kind: "git", url: shapes.upstream, headUrl: shapes.fork },
        "f".repeat(40),
        join(shapes.root, "x"),
      ),
    ).rejects.toThrow(/git ref "f{40}" does not exist/);
  });
});
