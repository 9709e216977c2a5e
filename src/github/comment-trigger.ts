import { parse } from "../commands/parse.js";
import type { Logger } from "../log.js";
import { mayStartRuns } from "./authority.js";
import { messages } from "./messages.js";
import { issueCommentCreatedSchema, repoRefOf } from "./payloads.js";
import { startRun } from "./start-run.js";
import type { TriggerDeps } from "./trigger-deps.js";

/**
 * `issue_comment.created`: parse → authorise → plan → apply. Only the parse happens before the delivery
 * is answered; every API call runs afterwards in the background.
 */
export function onCommentCreated(deps: TriggerDeps, rawPayload: unknown, log: Logger): void {
  const parsed = issueCommentCreatedSchema.safeParse(rawPayload);
  if (!parsed.success) {
    log.warn({ issues: parsed.error.issues.length }, "issue_comment payload not understood; ignored");
    return;
  }
  const payload = parsed.data;
  if (!payload.issue.pull_request || payload.issue.state !== "open") return;
  if (payload.sender.type === "Bot") return;
  const command = parse(payload.comment.body ?? "");
  if (command === null) return;

  const repo = repoRefOf(payload);
  const pullNumber = payload.issue.number;
  const user = payload.sender.login;
  log.info({ pullNumber, user, command: command.kind }, "command received");
  deps.tasks.run(
    "comment command",
    async () => {
      const forge = await deps.forgeFor(payload.installation.id);
      if (!(await mayStartRuns(forge, repo, user))) {
        log.info({ user }, "command refused: no write permission");
        await forge.reply(repo, pullNumber, messages.refused(user));
        return;
      }
      if (command.kind === "help") {
        await forge.reply(repo, pullNumber, messages.help(command.reason));
        return;
      }
      await forge.acknowledgeComment(repo, payload.comment.id);
      const outcome = await startRun(deps.engine, forge, {
        repo,
        pullNumber,
        mode: command.mode,
        requestedBy: user,
        installationId: payload.installation.id,
        commentId: payload.comment.id,
        commentedAt: payload.comment.created_at,
      });
      if (outcome.kind === "refused") {
        await forge.reply(repo, pullNumber, outcome.reply);
        return;
      }
      log.info({ runId: outcome.run.id, mode: command.mode }, "run submitted");
      deps.reporter.notify(outcome.run);
    },
    log,
  );
}
