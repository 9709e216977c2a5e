import type { AssertResult, Run, Step } from "../engine/run.js";

const seconds = (ms?: number) => (ms === undefined ? "" : `${(ms / 1000).toFixed(1)} s`);
const mark = (status: string) =>
  ({ passed: "ok  ", failed: "FAIL", skipped: "skip", running: "... ", pending: "    " })[status] ?? status;

/** One progress line for a step that started or ended. */
export function stepLine(step: Step): string {
  const detail = step.detail ? ` - ${step.detail}` : "";
  return step.status === "running"
    ? `  ...  ${step.name}`
    : `  ${mark(step.status)} ${step.name} (${seconds(step.durationMs)})${detail}`;
}

function assertRow(a: AssertResult): string[] {
  const verdict = a.skipped ? "skip" : a.passed ? "pass" : "FAIL";
  return [verdict, a.name, seconds(a.durationMs), a.detail.split("\n")[0] ?? ""];
}

/** A plain-text table of the run's asserts and its verdict: the CLI's final output. */
export function renderSummary(run: Run): string {
  const rows = [["", "assert", "time", "detail"], ...run.asserts.map(assertRow)];
  const widths = [0, 1, 2].map((col) => Math.max(...rows.map((r) => r[col]!.length)));
  const table = rows.map((r) =>
    r
      .map((cell, col) => (col < 3 ? cell.padEnd(widths[col]!) : cell))
      .join("  ")
      .trimEnd(),
  );
  const lines = [
    "",
    `run ${run.id}  recipe ${run.recipe}  mode ${run.mode}  ${run.sha ? `commit ${run.sha.slice(0, 12)}` : "working tree"}`,
    `app ${run.domain ?? "-"}`,
    ...(run.asserts.length > 0 ? ["", ...table] : []),
    ...run.notes.map((n) => `note: ${n}`),
    "",
    `${run.state.toUpperCase()} in ${seconds(run.durationMs)}${run.reason ? ` - ${run.reason}` : ""}`,
  ];
  if (run.logExcerpt && run.state !== "passed") lines.push("", "log excerpt:", run.logExcerpt);
  return lines.join("\n");
}
