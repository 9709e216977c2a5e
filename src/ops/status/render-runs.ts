import { type Html, html } from "./escape-html.js";
import { formatDuration, formatTime } from "./format.js";
import type { RunRow } from "./status-model.js";

const short = (sha: string | null) => (sha ?? "").slice(0, 7);

function stateBadge(row: RunRow): Html {
  const label = row.queuePosition ? `${row.state} #${row.queuePosition}` : row.state;
  return html`<span class="badge state-${row.state}">${label}</span>`;
}

function duration(row: RunRow, now: number): string {
  if (row.durationMs !== undefined) return formatDuration(row.durationMs);
  if (row.state === "running" && row.startedAt)
    return `${formatDuration(now - Date.parse(row.startedAt))} so far`;
  return "";
}

// Mode and SHA cells stay bare (`<td>cold</td>`): the columns are styled by position instead.
/** A table of runs: run id, repository, recipe, mode, SHA, verdict, duration, and why when it did not pass. */
export function renderRunTable(id: string, title: string, rows: RunRow[], now: number): Html {
  if (rows.length === 0) {
    return html`<section id="${id}"><h2>${title} <span class="count">0</span></h2><p class="empty">None.</p></section>`;
  }
  const body = rows.map(
    (r) =>
      html`<tr data-run="${r.id}" class="mode-${r.mode}"><td><code>${r.id}</code></td><td>${r.repo}</td><td>${r.recipe}</td><td>${r.mode}</td><td>${short(r.sha)}</td><td>${stateBadge(r)}</td><td>${duration(r, now)}</td><td class="when">${formatTime(r.queuedAt)}</td><td class="reason">${r.reason ?? ""}</td></tr>`,
  );
  return html`<section id="${id}"><h2>${title} <span class="count">${rows.length}</span></h2><table class="runs"><thead><tr><th>Run</th><th>Repository</th><th>Recipe</th><th>Mode</th><th>SHA</th><th>Verdict</th><th>Duration</th><th>Queued</th><th>Reason</th></tr></thead><tbody>${body}</tbody></table></section>`;
}
