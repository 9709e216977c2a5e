import type { Mode } from "../engine/run.js";
import type { ForgeFactory } from "./forge.js";
import { COLD_STATUS_CONTEXT, checkRunNames, type PullRequestOrigin } from "./origin.js";

/**
 * Completes the check run of a run that a crash or kill interrupted (the engine's recovery tore it
 * down at start-up), so the pull request does not show it queued or in progress for ever. Both modes
 * end `cancelled`, which keeps the Re-run button: a quick check has its own name (`ccci / quick`) that
 * is never a required check, so its `cancelled` cannot block a merge; its title still says advisory.
 */
export async function completeInterrupted(
  forgeFor: ForgeFactory,
  origin: PullRequestOrigin,
  run: { runId: string; leaks: string },
  mode: Mode,
): Promise<void> {
  if (origin.checkRunId === undefined) return;
  const forge = await forgeFor(origin.installationId);
  const repo = { owner: origin.owner, repo: origin.repo };
  const leftovers = run.leaks
    ? `\n\nRecovery left these behind: ${run.leaks}`
    : "\n\nRecovery tore everything down.";
  await forge.updateCheckRun(repo, origin.checkRunId, {
    name: checkRunNames[mode],
    headSha: origin.headSha,
    externalId: `${run.runId}:${mode}`,
    status: "completed",
    conclusion: "cancelled",
    completedAt: new Date().toISOString(),
    title: mode === "quick" ? "🚫 quick: interrupted (advisory)" : "🚫 cold: interrupted",
    summary: `**Mode:** ${mode} · **Verdict:** interrupted: ccci restarted while this run was unfinished.${leftovers}\n\nRe-run with the re-run button or a new command.`,
  });
  if (mode !== "cold") return;
  await forge.setCommitStatus(repo, {
    sha: origin.headSha,
    context: COLD_STATUS_CONTEXT,
    state: "error",
    description: "cold: interrupted by a restart of ccci; re-run it",
  });
}
