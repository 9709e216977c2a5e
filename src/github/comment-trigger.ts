import { parse } from "../commands/parse.js";
import type { Logger } from "../log.js";
import { mayStartRuns } from "./authority.js";
import type { Forge, RepoRef } from "./forge.js";
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
      const where = { repo, pullNumber, user };
      if (!(await authorise(deps, forge, where, log))) return;
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
      log.info({ runId: outcome.run.id, mode: command.mode, outcome: outcome.kind }, "run submitted");
      if (outcome.kind === "started") deps.reporter.notify(outcome.run);
    },
    log,
  );
}

interface CommandPlace {
  repo: RepoRef;
  pullNumber: number;
  user: string;
}

/** Write permission, or a refusal (at most one per user, pull request and window) saying why not. */
async function authorise(
  deps: TriggerDeps,
  forge: Forge,
  where: CommandPlace,
  log: Logger,
): Promise<boolean> {
  const repoName = `${where.repo.owner}/${where.repo.repo}`;
  let allowed: boolean;
  try {
    allowed =
      !deps.denied.isDenied(repoName, where.user) && (await mayStartRuns(forge, where.repo, where.user));
  } catch (error) {
    log.warn({ err: error, user: where.user }, "permission check failed: the commenter is asked to retry");
    await refuse(deps, forge, where, "permission-unknown", messages.permissionUnknown(where.user), log);
    return false;
  }
  if (!allowed) {
    deps.denied.remember(repoName, where.user);
    log.info({ user: where.user }, "command refused: no write permission");
    await refuse(deps, forge, where, "refused", messages.refused(where.user), log);
  }
  return allowed;
}

async function refuse(
  deps: TriggerDeps,
  forge: Forge,
  where: CommandPlace,
  kind: string,
  body: string,
  log: Logger,
): Promise<void> {
  const pullRequest = `${where.repo.owner}/${where.repo.repo}#${where.pullNumber}`;
  if (!deps.replies.allow(kind, pullRequest, where.user)) {
    log.info({ user: where.user, kind }, "refusal not repeated: one per user and pull request per window");
    return;
  }
  await forge.reply(where.repo, where.pullNumber, body);
}
