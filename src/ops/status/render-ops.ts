import type { DiskReport, DiskStatus } from "../disk-guard.js";
import { formatBytes } from "../disk-threshold.js";
import type { SweepReport, SweptRecipe } from "../sweep-report.js";
import { type Html, html } from "./escape-html.js";
import { formatAge, formatDuration, formatTime } from "./format.js";
import type { CanonicalRow } from "./status-model.js";

function unavailable(reason: string | undefined): Html {
  return reason ? html`<p class="unavailable">Unavailable: ${reason}</p>` : html``;
}

function snapshotCell(row: CanonicalRow, now: number): Html {
  if (row.snapshotError) return html`<span class="badge state-errored">damaged</span> ${row.snapshotError}`;
  if (!row.snapshot) return html`<span class="badge state-cancelled">none</span>`;
  const s = row.snapshot;
  return html`<span title="${s.id}">${formatAge(s.createdAt, now)}</span>, ${formatBytes(s.bytes)} in ${s.files} files (${s.volumes} volumes)`;
}

export function renderCanonicals(rows: CanonicalRow[], now: number, problem?: string): Html {
  const body = rows.map((r) => {
    const version = r.knownGood.version ? html` <span class="muted">${r.knownGood.version}</span>` : html``;
    return html`<tr data-recipe="${r.recipe}"><td>${r.recipe}</td><td><code title="${r.knownGood.commit}">${r.knownGood.commit.slice(0, 12)}</code>${version} <span class="muted">${r.knownGood.ref}</span></td><td><span title="${formatTime(r.promotedAt)}">${formatAge(r.promotedAt, now)}</span></td><td>${snapshotCell(r, now)}</td><td class="muted">${r.domain}</td></tr>`;
  });
  const table =
    rows.length === 0
      ? html`<p class="empty">No canonicals yet: a green cold run of an enrolled recipe's default branch seeds one.</p>`
      : html`<table><thead><tr><th>Recipe</th><th>Known-good commit</th><th>Promoted</th><th>Snapshot</th><th>Domain</th></tr></thead><tbody>${body}</tbody></table>`;
  return html`<section id="canonicals"><h2>Canonicals <span class="count">${rows.length}</span></h2>${unavailable(problem)}${table}</section>`;
}

function diskRow(disk: DiskStatus): Html {
  const used = disk.totalBytes > 0 ? 100 - (disk.freeBytes / disk.totalBytes) * 100 : 0;
  return html`<tr class="level-${disk.level}"><td><code>${disk.path}</code></td><td>${disk.roles.join(", ")}</td><td>${formatBytes(disk.freeBytes)} free of ${formatBytes(disk.totalBytes)}</td><td><div class="bar"><div style="width:${used.toFixed(1)}%"></div></div></td><td><span class="badge level-${disk.level}">${disk.level}</span></td><td class="muted">soft ${formatBytes(disk.softBytes)}, hard ${formatBytes(disk.hardBytes)}</td></tr>`;
}

export function renderDisk(report: DiskReport | null, problem?: string): Html {
  const rows = report?.disks ?? [];
  const errors = (report?.errors ?? []).map((e) => html`<li>${e}</li>`);
  const table =
    rows.length === 0
      ? html`<p class="empty">No disk measured.</p>`
      : html`<table><thead><tr><th>Path</th><th>Holds</th><th>Space</th><th>Used</th><th>Level</th><th>Thresholds</th></tr></thead><tbody>${rows.map(diskRow)}</tbody></table>`;
  return html`<section id="disk"><h2>Disk</h2>${unavailable(problem)}${table}${errors.length > 0 ? html`<ul class="problems">${errors}</ul>` : html``}</section>`;
}

function sweptRow(r: SweptRecipe, canary = false): Html {
  const duration = r.durationMs === undefined ? "" : formatDuration(r.durationMs);
  const name = canary ? html`${r.recipe} <span class="muted">(canary: must fail)</span>` : html`${r.recipe}`;
  return html`<tr><td>${name}</td><td><span class="badge state-${r.state}">${r.state}</span></td><td>${duration}</td><td><code>${(r.sha ?? "").slice(0, 7)}</code></td><td>${r.promotion ?? ""}</td><td class="reason">${r.reason ?? ""}</td></tr>`;
}

export function renderLastSweep(report: SweepReport | null, now: number, problem?: string): Html {
  if (!report) {
    return html`<section id="sweep"><h2>Last sweep</h2>${unavailable(problem)}${problem ? html`` : html`<p class="empty">No sweep yet.</p>`}</section>`;
  }
  const problems = report.problems.map((p) => html`<li>${p}</li>`);
  const rows = [
    ...report.recipes.map((r) => sweptRow(r)),
    ...(report.canary ? [sweptRow(report.canary, true)] : []),
  ];
  const leftOut =
    report.leftOut.length > 0
      ? html`<p class="muted">Left out (limit ${report.limit}): ${report.leftOut.join(", ")}</p>`
      : html``;
  return html`<section id="sweep"><h2>Last sweep <span class="badge sweep-${report.status}">${report.status}</span></h2><p>Finished <span title="${formatTime(report.finishedAt)}">${formatAge(report.finishedAt, now)}</span> after ${formatDuration(report.durationMs)}; ${report.recipes.length} recipes, at most ${report.maxTests} at once (peak ${report.peakConcurrent}); ${report.closure.leaks.length} leaks.</p>${problems.length > 0 ? html`<ul class="problems">${problems}</ul>` : html``}${rows.length > 0 ? html`<table><thead><tr><th>Recipe</th><th>Verdict</th><th>Duration</th><th>SHA</th><th>Promotion</th><th>Reason</th></tr></thead><tbody>${rows}</tbody></table>` : html``}${leftOut}</section>`;
}
