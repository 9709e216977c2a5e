import type { Forge, RepoRef } from "./forge.js";

/**
 * Trust is the commenter's repository permission, not `author_association` (which hides private org
 * members): only `admin` and `write` (GitHub reports `maintain` as `write`) may start runs.
 */
export async function mayStartRuns(forge: Forge, repo: RepoRef, user: string): Promise<boolean> {
  const permission = await forge.getPermission(repo, user);
  return permission === "admin" || permission === "write";
}
