import type { Run } from "../engine/run.js";
import { renderStickyComment, stickyMarker } from "../github/render/sticky-comment.js";

/**
 * The sticky comment on Gitea: GitHub's body without the check-run link (Gitea has none). It is also
 * where progress shows, so it is written while the run is queued and running, not only at the end.
 */
export function renderGiteaComment(run: Run, headSha: string): string {
  return renderStickyComment(run, headSha, undefined).replace("Details: the check run. ", "");
}

/** What a run that a restart of ccci interrupted leaves in its sticky comment. */
export function renderInterruptedComment(mode: Run["mode"], headSha: string, leaks: string): string {
  const leftovers = leaks ? `Recovery left these behind: ${leaks}` : "Recovery tore everything down.";
  const rerun = mode === "quick" ? "!testme --quick" : "!testme";
  return [
    stickyMarker(mode),
    `### 🚫 ccci · ${mode} · interrupted`,
    `**Mode:** ${mode} · **SHA:** \`${headSha.slice(0, 7)}\` · **Verdict:** interrupted: ccci restarted while this run was unfinished.`,
    leftovers,
    `Re-run: comment \`${rerun}\`.`,
  ].join("\n\n");
}
