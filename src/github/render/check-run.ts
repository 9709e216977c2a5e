import type { Run } from "../../engine/run.js";
import type { CheckRunFields } from "../forge.js";
import { checkRunNames, externalId } from "../origin.js";
import {
  assertsTable,
  codeBlock,
  formatDuration,
  GITHUB_TEXT_LIMIT,
  shortSha,
  stepsTable,
  tiersTable,
  truncate,
} from "./markdown.js";
import { verdictOf } from "./verdict.js";

export function rerunCommand(mode: Run["mode"]): string {
  return mode === "quick" ? "!testme --quick" : "!testme";
}

function notesBlock(run: Run): string {
  return run.notes.map((note) => `> **Note:** ${note.replaceAll("\n", " ")}`).join("\n");
}

/** The facts line every report starts with: mode, SHA, verdict, duration. */
export function factsLine(run: Run, headSha: string, headline: string): string {
  const duration = run.durationMs === undefined ? "" : ` · **Duration:** ${formatDuration(run.durationMs)}`;
  return `**Mode:** ${run.mode} · **SHA:** \`${shortSha(headSha)}\` · **Verdict:** ${headline}${duration}`;
}

function summaryOf(run: Run, headSha: string, headline: string): string {
  const advisory =
    run.mode === "quick"
      ? "_Quick runs are advisory: they never block a merge. Only `ccci / cold` gates._"
      : "";
  const reason = run.reason ? `**Reason:** ${run.reason.replaceAll("\n", " ")}` : "";
  const parts = [
    factsLine(run, headSha, headline),
    advisory,
    notesBlock(run),
    reason,
    tiersTable(run.tiers),
    assertsTable(run.asserts),
    stepsTable(run.steps),
    `Re-run: comment \`${rerunCommand(run.mode)}\` or use the re-run button.`,
  ];
  return truncate(parts.filter(Boolean).join("\n\n"), GITHUB_TEXT_LIMIT);
}

function textOf(run: Run): string | undefined {
  if (!run.logExcerpt) return undefined;
  // Leave room for the fence and heading; the excerpt is already redacted by the engine.
  const excerpt = truncate(run.logExcerpt, GITHUB_TEXT_LIMIT - 200);
  return `### Log excerpt\n\n${codeBlock(excerpt)}`;
}

/** Renders a run as check-run fields. Pure: the same run always renders the same fields. */
export function renderCheckRun(run: Run, headSha: string, queuePosition?: number): CheckRunFields {
  const verdict = verdictOf(run, queuePosition);
  const text = textOf(run);
  return {
    name: checkRunNames[run.mode],
    headSha,
    externalId: externalId(run),
    status: verdict.status,
    ...(verdict.conclusion ? { conclusion: verdict.conclusion } : {}),
    ...(run.startedAt ? { startedAt: run.startedAt } : {}),
    ...(verdict.status === "completed" ? { completedAt: run.finishedAt ?? new Date().toISOString() } : {}),
    title: `${verdict.icon} ${run.mode}: ${verdict.headline}`,
    summary: summaryOf(run, headSha, verdict.headline),
    ...(text ? { text } : {}),
  };
}
