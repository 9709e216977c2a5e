import type { SweepReport, SweptRecipe } from "./sweep-report.js";

const seconds = (ms?: number) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);
const minutes = (ms: number) => (ms < 60_000 ? seconds(ms) : `${(ms / 60_000).toFixed(1)} min`);

/** A table cell: one line, pipes escaped, bounded so one long reason cannot swamp the report. */
function cell(text: string, max = 300): string {
  const line = text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const verdictMark: Record<SweptRecipe["state"], string> = {
  passed: "✅ passed",
  failed: "❌ failed",
  errored: "💥 errored",
  cancelled: "⏹ cancelled",
  queued: "⏳ queued",
  running: "⏳ running",
};

const statusHeading: Record<SweepReport["status"], string> = {
  green: "🟢 GREEN",
  red: "🔴 RED",
  broken: "⚠️ BROKEN",
};

function recipeRow(r: SweptRecipe): string {
  const commit = r.sha ? `\`${r.sha.slice(0, 12)}\`` : "-";
  const promotion =
    r.state === "passed" ? (r.promotion ?? "") : [r.reason, r.promotion].filter(Boolean).join("; ");
  return `| ${cell(r.recipe)} | ${verdictMark[r.state]} | ${seconds(r.durationMs)} | ${commit} | ${cell(promotion)} |`;
}

function canaryLine(canary: SweptRecipe | null): string {
  if (!canary) return "**Canary:** did not run.";
  const expected =
    canary.state === "failed"
      ? "failed, as it must (the harness can see red)"
      : `**${canary.state.toUpperCase()}** - it must fail`;
  const why = canary.reason ? ` - ${cell(canary.reason)}` : "";
  return `**Canary** \`${canary.recipe}\` (run \`${canary.runId}\`, ${seconds(canary.durationMs)}): ${expected}${why}`;
}

/** The sweep report as markdown: for the status page, a GitHub comment, or a terminal. */
export function renderSweepMarkdown(report: SweepReport): string {
  const lines = [
    `## ccci nightly sweep: ${statusHeading[report.status]}`,
    "",
    `Sweep \`${report.id}\` started ${report.startedAt}, took ${minutes(report.durationMs)}; ` +
      `${report.recipes.length} recipe(s), at most ${report.maxTests} at once (peak ${report.peakConcurrent}).`,
  ];
  if (report.problems.length > 0) lines.push("", ...report.problems.map((p) => `- ${cell(p, 500)}`));
  if (report.recipes.length > 0) {
    lines.push("", "| Recipe | Verdict | Duration | Commit | Promotion / reason |", "|---|---|---|---|---|");
    lines.push(...report.recipes.map(recipeRow));
  }
  lines.push("", canaryLine(report.canary));
  if (report.leftOut.length > 0)
    lines.push(
      "",
      `**Left out** (beyond the limit of ${report.limit}; first in line next time): ${report.leftOut.join(", ")}`,
    );
  const { closure } = report;
  const leaks = closure.leaks.map(
    (l) => `- \`${l.stack}\`${l.runId ? ` (run ${l.runId})` : ""}: ${cell(l.detail)}`,
  );
  if (!closure.checked)
    lines.push("", `**Closure check:** not run${closure.error ? ` (${closure.error})` : ""}.`);
  else if (leaks.length > 0) lines.push("", "**Leaks** (closure check):", ...leaks);
  else lines.push("", `**Closure check:** clean (${closure.finishedRuns} finished runs).`);
  return `${lines.join("\n")}\n`;
}
