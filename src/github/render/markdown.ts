import type { AssertResult, Step, TierResult } from "../../engine/run.js";

/** GitHub's cap for check-run `output.summary`/`output.text` and for comment bodies. */
export const GITHUB_TEXT_LIMIT = 65_535;

const TRUNCATION_NOTE = "\n\n… (truncated)";

/** Cuts `text` to `limit` characters, saying so, without splitting a surrogate pair. */
export function truncate(text: string, limit = GITHUB_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  let cut = limit - TRUNCATION_NOTE.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return text.slice(0, cut) + TRUNCATION_NOTE;
}

/** A table cell: one line, pipes escaped, bounded so one chatty assert cannot crowd out the rest. */
export function cell(text: string | undefined, limit = 300): string {
  const flat = (text ?? "").replace(/\s+/g, " ").trim().replaceAll("|", "\\|");
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** A fenced block whose fence is longer than any backtick run inside, so log text cannot break out. */
export function codeBlock(text: string): string {
  const longestRun = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence}text\n${text}\n${fence}`;
}

const stepIcons: Record<Step["status"], string> = {
  pending: "⏳",
  running: "🔄",
  passed: "✅",
  failed: "❌",
  skipped: "⏭️",
};

export function stepsTable(steps: Step[]): string {
  if (steps.length === 0) return "";
  const rows = steps.map(
    (s) =>
      `| ${cell(s.name, 80)} | ${stepIcons[s.status]} ${s.status} | ${formatDuration(s.durationMs)} | ${cell(s.detail)} |`,
  );
  return ["| Step | Status | Duration | Detail |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

export function assertsTable(asserts: AssertResult[]): string {
  if (asserts.length === 0) return "";
  const withTier = asserts.some((a) => a.tier !== undefined);
  const rows = asserts.map((a) => {
    const tier = withTier ? ` ${cell(a.tier, 20)} |` : "";
    const result = a.passed ? "✅ pass" : "❌ fail";
    return `|${tier} ${cell(a.name, 80)} | ${result} | ${formatDuration(a.durationMs)} | ${cell(a.detail)} |`;
  });
  const head = withTier
    ? "| Tier | Assert | Result | Duration | Detail |"
    : "| Assert | Result | Duration | Detail |";
  const rule = withTier ? "| --- | --- | --- | --- | --- |" : "| --- | --- | --- | --- |";
  return [head, rule, ...rows].join("\n");
}

const tierIcons: Record<TierResult["status"], string> = { passed: "✅", failed: "❌", skipped: "⏭️" };

export function tiersTable(tiers: TierResult[] | undefined): string {
  if (!tiers || tiers.length === 0) return "";
  const rows = tiers.map(
    (t) =>
      `| ${t.name} | ${tierIcons[t.status]} ${t.status} | ${formatDuration(t.durationMs)} | ${cell(t.detail)} |`,
  );
  return ["| Tier | Status | Duration | Detail |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
