import type { AssertResult, Run, Step, TierResult } from "../engine/run.js";

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
  return [verdict, a.tier ?? "", a.name, seconds(a.durationMs), a.detail.split("\n")[0] ?? ""];
}

function tierRow(t: TierResult): string[] {
  return [
    { passed: "pass", failed: "FAIL", skipped: "skip" }[t.status],
    t.name,
    seconds(t.durationMs),
    t.detail,
  ];
}

/** Columns padded to their widest cell; the last column is left as it is. */
export function table(rows: string[][]): string[] {
  const last = Math.max(...rows.map((r) => r.length)) - 1;
  const widths = Array.from({ length: last }, (_, col) =>
    Math.max(...rows.map((r) => (r[col] ?? "").length)),
  );
  return rows.map((r) =>
    r
      .map((cell, col) => (col < last ? cell.padEnd(widths[col]!) : cell))
      .join("  ")
      .trimEnd(),
  );
}

/** A plain-text table of the run's asserts and its verdict: the CLI's final output. */
export function renderSummary(run: Run): string {
  const lines = [
    "",
    `run ${run.id}  recipe ${run.recipe}  mode ${run.mode}  ${run.sha ? `commit ${run.sha.slice(0, 12)}` : "working tree"}`,
    `app ${run.domain ?? "-"}`,
    ...(run.tiers.length > 0
      ? ["", ...table([["", "tier", "time", "detail"], ...run.tiers.map(tierRow)])]
      : []),
    ...(run.asserts.length > 0
      ? ["", ...table([["", "tier", "assert", "time", "detail"], ...run.asserts.map(assertRow)])]
      : []),
    ...run.notes.map((n) => `note: ${n}`),
    "",
    `${run.state.toUpperCase()} in ${seconds(run.durationMs)}${run.reason ? ` - ${run.reason}` : ""}`,
  ];
  if (run.logExcerpt && run.state !== "passed") lines.push("", "log excerpt:", run.logExcerpt);
  return lines.join("\n");
}
