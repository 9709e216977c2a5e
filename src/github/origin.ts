import { z } from "zod";
import type { Run } from "../engine/run.js";

/**
 * What the GitHub trigger puts in `RunRequest.origin`: everything the reporter needs to render a run
 * back to its pull request, with no other state shared between them.
 */
export const pullRequestOriginSchema = z.object({
  trigger: z.literal("github"),
  owner: z.string().min(1),
  repo: z.string().min(1),
  pullNumber: z.number().int().positive(),
  installationId: z.number().int().positive(),
  headSha: z.string().regex(/^[0-9a-f]{40}$/),
  commentId: z.number().int().positive().optional(),
  checkSuiteId: z.number().int().positive().optional(),
  /** Recorded by the reporter once the check run exists, so a restart can complete it. */
  checkRunId: z.number().int().positive().optional(),
});

export type PullRequestOrigin = z.infer<typeof pullRequestOriginSchema>;

/** The run's pull-request origin, or undefined for runs other triggers (CLI, sweep) started. */
export function pullRequestOrigin(run: Run): PullRequestOrigin | undefined {
  const parsed = pullRequestOriginSchema.safeParse(run.request.origin);
  return parsed.success ? parsed.data : undefined;
}

export function isSamePullRequest(
  origin: PullRequestOrigin,
  other: { owner: string; repo: string; pullNumber: number },
) {
  return (
    origin.owner.toLowerCase() === other.owner.toLowerCase() &&
    origin.repo.toLowerCase() === other.repo.toLowerCase() &&
    origin.pullNumber === other.pullNumber
  );
}

/** `external_id` of a check run: `<runId>:<mode>`, so a re-run knows the mode without any state. */
export function externalId(run: Pick<Run, "id" | "mode">): string {
  return `${run.id}:${run.mode}`;
}

export function parseExternalId(
  value: string | null | undefined,
): { runId: string; mode: Run["mode"] } | null {
  const match = /^([A-Za-z0-9._-]{1,100}):(cold|quick)$/.exec(value ?? "");
  if (!match) return null;
  return { runId: match[1] as string, mode: match[2] as Run["mode"] };
}

/** The commit-status context of cold runs: the one a repository makes required. Quick runs post none. */
export const COLD_STATUS_CONTEXT = "ccci/cold";

export const checkRunNames: Record<Run["mode"], string> = { cold: "ccci / cold", quick: "ccci / quick" };
