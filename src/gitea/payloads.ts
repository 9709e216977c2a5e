import { z } from "zod";

/**
 * The parts of Gitea's webhook payloads ccci reads, checked after the signature. Gitea's shapes follow
 * GitHub's loosely: a push to a pull request is `synchronized`, a PR comment says `is_pull`, and there
 * is no `installation`. `repository.permissions` of a comment event is the *commenter's* permission
 * (Gitea's notifier computes it for the doer); other events carry the owner's, so only comments use it.
 */
const sha = z.string().regex(/^[0-9a-f]{40}$/);
const user = z.object({ login: z.string().min(1) });
const repository = z.object({
  name: z.string().min(1),
  owner: user,
  permissions: z.object({ admin: z.boolean(), push: z.boolean() }).nullish(),
});

export const giteaCommentCreatedSchema = z.object({
  action: z.literal("created"),
  is_pull: z.literal(true),
  issue: z.object({ number: z.number().int().positive(), state: z.string() }),
  pull_request: z.object({ head: z.object({ sha }) }),
  comment: z.object({ id: z.number().int().positive(), body: z.string().nullish() }),
  repository,
  sender: user,
});

export const giteaPullRequestChangedSchema = z.object({
  action: z.enum(["synchronized", "closed"]),
  number: z.number().int().positive(),
  pull_request: z.object({ head: z.object({ sha }) }),
  repository,
});

export type GiteaCommentCreated = z.infer<typeof giteaCommentCreatedSchema>;

export function repoRefOf(payload: { repository: z.infer<typeof repository> }) {
  return { owner: payload.repository.owner.login, repo: payload.repository.name };
}
