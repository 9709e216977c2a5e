import type { Run } from "../../engine/run.js";
import { factsLine, rerunCommand } from "./check-run.js";
import { assertsTable, tiersTable, truncate } from "./markdown.js";
import { verdictOf } from "./verdict.js";

/** The HTML marker that finds the one result comment per pull request and mode. */
export function stickyMarker(mode: Run["mode"]): string {
  return `<!-- ccci:result mode=${mode} -->`;
}

/** Comments are capped by GitHub at 65,536 characters; stay clear of it. */
const COMMENT_LIMIT = 60_000;

export function renderStickyComment(run: Run, headSha: string, checkRunUrl: string | undefined): string {
  const verdict = verdictOf(run);
  const link = checkRunUrl ? `[check run](${checkRunUrl})` : "the check run";
  const advisory = run.mode === "quick" ? "_Advisory: quick runs never block a merge._" : "";
  const reason = run.reason ? `**Reason:** ${run.reason.replaceAll("\n", " ")}` : "";
  const notes = run.notes.map((note) => `> **Note:** ${note.replaceAll("\n", " ")}`).join("\n");
  const body = [
    `### ${verdict.icon} ccci · ${run.mode} · ${verdict.headline}`,
    factsLine(run, headSha, verdict.headline),
    advisory,
    notes,
    reason,
    tiersTable(run.tiers),
    assertsTable(run.asserts) || "_No asserts ran._",
    `Details: ${link}. Re-run: comment \`${rerunCommand(run.mode)}\`.`,
  ];
  return `${stickyMarker(run.mode)}\n${truncate(body.filter(Boolean).join("\n\n"), COMMENT_LIMIT)}`;
}
