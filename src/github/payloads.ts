import { z } from "zod";

/**
 * The parts of webhook payloads ccci reads, checked at the edge. Probot has verified the signature;
 * these schemas make sure the fields are what the code assumes before anything acts on them.
 */
const repository = z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) });
const account = z.object({ login: z.string().min(1), type: z.string() });
const installation = z.object({ id: z.number().int().positive() });
const sha = z.string().regex(/^[0-9a-f]{40}$/);
const pullRequestLinks = z.array(z.object({ number: z.number().int().positive() }));

export const issueCommentCreatedSchema = z.object({
  action: z.literal("created"),
  issue: z.object({
    number: z.number().int().positive(),
    state: z.string(),
    pull_request: z.looseObject({}).optional(),
  }),
  comment: z.object({
    id: z.number().int().positive(),
    body: z.string().nullable().default(""),
    created_at: z.string(),
  }),
  repository,
  sender: account,
  installation,
});

export const pullRequestEventSchema = z.object({
  action: z.enum(["synchronize", "closed"]),
  number: z.number().int().positive(),
  pull_request: z.object({ head: z.object({ sha }) }),
  repository,
});

export const checkRunRerequestedSchema = z.object({
  action: z.literal("rerequested"),
  check_run: z.object({
    head_sha: sha,
    external_id: z.string().nullable().default(null),
    pull_requests: pullRequestLinks.default([]),
  }),
  repository,
  sender: account,
  installation,
});

export const checkSuiteRerequestedSchema = z.object({
  action: z.literal("rerequested"),
  check_suite: z.object({
    id: z.number().int().positive(),
    head_sha: sha,
    pull_requests: pullRequestLinks.default([]),
  }),
  repository,
  sender: account,
  installation,
});

export function repoRefOf(payload: { repository: z.infer<typeof repository> }) {
  return { owner: payload.repository.owner.login, repo: payload.repository.name };
}
