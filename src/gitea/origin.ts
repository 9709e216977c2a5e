import { z } from "zod";
import type { Run } from "../engine/run.js";

/**
 * What the Gitea trigger puts in `RunRequest.origin`: everything the Gitea reporter needs to render a
 * run back to its pull request. Its own `trigger` value keeps GitHub's reporter away from these runs.
 */
export const giteaOriginSchema = z.object({
  trigger: z.literal("gitea"),
  owner: z.string().min(1),
  repo: z.string().min(1),
  pullNumber: z.number().int().positive(),
  headSha: z.string().regex(/^[0-9a-f]{40}$/),
  commentId: z.number().int().positive().optional(),
});

export type GiteaOrigin = z.infer<typeof giteaOriginSchema>;

export function giteaOrigin(run: Run): GiteaOrigin | undefined {
  const parsed = giteaOriginSchema.safeParse(run.request.origin);
  return parsed.success ? parsed.data : undefined;
}

export function isSameGiteaPullRequest(
  origin: GiteaOrigin,
  other: { owner: string; repo: string; pullNumber: number },
): boolean {
  return (
    origin.owner.toLowerCase() === other.owner.toLowerCase() &&
    origin.repo.toLowerCase() === other.repo.toLowerCase() &&
    origin.pullNumber === other.pullNumber
  );
}
