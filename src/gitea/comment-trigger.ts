import { parse } from "../commands/parse.js";
import { messages } from "../github/messages.js";
import type { Logger } from "../log.js";
import { giteaMayStartRuns } from "./authority.js";
import { type GiteaCommentCreated, giteaCommentCreatedSchema, repoRefOf } from "./payloads.js";
import { startGiteaRun } from "./start-run.js";
import type { GiteaTriggerDeps } from "./trigger-deps.js";

/**
 * Gitea's `issue_comment` (`X-Gitea-Event-Type: pull_request_comment`), action `created`: parse →
 * authorise → plan → apply, the same steps as GitHub's. Only the parse happens before the delivery is
 * answered; every API call runs afterwards in the background.
 */
export function onGiteaComment(deps: GiteaTriggerDeps, rawPayload: unknown, log: Logger): void {
  const parsed = giteaCommentCreatedSchema.safeParse(rawPayload);
  if (!parsed.success) return; // edits, deletions and plain issues are not commands
  const payload = parsed.data;
  if (payload.issue.state !== "open") return;
  // The bot's own replies quote commands; never act on them.
  if (payload.sender.login.toLowerCase() === deps.botLogin.toLowerCase()) return;
  const command = parse(payload.comment.body ?? "");
  if (command === null) return;
  const { owner, repo } = repoRefOf(payload);
  if (!deps.seen.firstTime(`${owner}/${repo}`, payload.comment.id)) {
    log.info({ commentId: payload.comment.id }, "comment already handled (a redelivery); ignored");
    return;
  }
  log.info(
    { pullNumber: payload.issue.number, user: payload.sender.login, command: command.kind },
    "command received",
  );
  deps.tasks.run("comment command", () => handleCommand(deps, payload, command, log), log);
}

async function handleCommand(
  deps: GiteaTriggerDeps,
  payload: GiteaCommentCreated,
  command: NonNullable<ReturnType<typeof parse>>,
  log: Logger,
): Promise<void> {
  const { forge } = deps;
  const repo = repoRefOf(payload);
  const pullNumber = payload.issue.number;
  const user = payload.sender.login;
  if (!(await giteaMayStartRuns(forge, repo, user, payload.repository.permissions, log))) {
    log.info({ user }, "command refused: no write permission");
    await forge.reply(repo, pullNumber, messages.refused(user));
    return;
  }
  if (command.kind === "help") {
    await forge.reply(repo, pullNumber, messages.help(command.reason));
    return;
  }
  await forge.acknowledgeComment(repo, payload.comment.id);
  const outcome = await startGiteaRun(deps.engine, forge, {
    repo,
    pullNumber,
    mode: command.mode,
    requestedBy: user,
    commentId: payload.comment.id,
    pinnedSha: payload.pull_request.head.sha,
  });
  if (outcome.kind === "refused") {
    await forge.reply(repo, pullNumber, outcome.reply);
    return;
  }
  log.info({ runId: outcome.run.id, mode: command.mode }, "run submitted");
  deps.reporter.notify(outcome.run);
}
