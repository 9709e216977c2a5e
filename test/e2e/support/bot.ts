import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { signedDelivery } from "../../helpers/signed-delivery.js";
import { commentOnPullRequest } from "../../helpers/webhook-examples.js";
import { fixture, repoRoot } from "./cli.js";

/** Shared by the e2e suites that drive the real `npm start` process (`node dist/main.js`). */
export const SECRET = "bot-e2e-webhook-secret";
export const OWNER = "ccci-e2e";
export const mainJs = join(repoRoot, "dist/main.js");

export async function git(cwd: string, args: string[]): Promise<string> {
  const env = {
    GIT_AUTHOR_NAME: "e2e",
    GIT_AUTHOR_EMAIL: "e2e@ccci.test",
    GIT_COMMITTER_NAME: "e2e",
    GIT_COMMITTER_EMAIL: "e2e@ccci.test",
  };
  return (await execa("git", args, { cwd, env })).stdout.trim();
}

/**
 * `hello` with the pull request's change committed on top, on `main`. The PR head is the tip of the
 * branch it targets, so the engine picks no earlier base and skips its upgrade tier: this test is about
 * the bot's wiring; the upgrade tier has its own tests.
 */
export async function recipeRepository(): Promise<{ dir: string; headSha: string }> {
  const dir = join(mkdtempSync(join(tmpdir(), "ccci-bot-e2e-")), "hello");
  cpSync(fixture("hello"), dir, { recursive: true });
  await git(dir, ["init", "--quiet", "--initial-branch=main"]);
  await git(dir, ["add", "-A"]);
  await git(dir, ["commit", "--quiet", "-m", "hello recipe"]);
  writeFileSync(join(dir, "README.md"), "# hello\n\nChanged by the pull request.\n");
  await git(dir, ["commit", "--quiet", "-am", "the pull request's change"]);
  return { dir, headSha: await git(dir, ["rev-parse", "HEAD"]) };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function botEnv(extra: Record<string, string>): Record<string, string> {
  return {
    CCCI_STATE_DIR: mkdtempSync(join(tmpdir(), "ccci-bot-state-")),
    LOG_LEVEL: "info",
    HOST: "127.0.0.1",
    ...extra,
  };
}

/**
 * A signed `issue_comment` delivery on the stand-in's pull request in `OWNER/hello`, from `sender`
 * (`commentId`: the comment's id; default the published example's).
 */
export function commentDelivery(body: string, sender: string, commentId?: number) {
  const payload = commentOnPullRequest(body);
  if (commentId !== undefined) payload.comment.id = commentId;
  payload.repository.name = "hello";
  payload.repository.full_name = `${OWNER}/hello`;
  payload.repository.owner.login = OWNER;
  payload.sender.login = sender;
  return signedDelivery("issue_comment", payload, SECRET);
}
