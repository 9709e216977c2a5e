import { renderDurationPlot } from "./duration-plot.js";
import { Html, html } from "./escape-html.js";
import { formatTime } from "./format.js";
import { renderCanonicals, renderDisk, renderLastSweep } from "./render-ops.js";
import { renderRunTable } from "./render-runs.js";
import type { StatusModel } from "./status-model.js";

// Inline and self-contained: the page must work offline, with no CDN and no script.
const STYLE = `
:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",Arial,sans-serif;color:var(--fg);margin:0 auto;max-width:1100px;padding:16px 24px}
h1{font-size:22px;margin:8px 0 2px}h2{font-size:17px;margin:0 0 8px}
header p{margin:0;color:var(--muted)}
section{border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:14px 0;background:#fff}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--bg);font-weight:600}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
.muted,.when{color:var(--muted)}.reason{color:#9a3412;max-width:320px;overflow-wrap:anywhere}
.count{font-weight:400;color:var(--muted)}.empty{color:var(--muted);margin:4px 0}
.unavailable{color:#b91c1c;font-weight:600}.problems{color:#9a3412;margin:6px 0}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;background:#e5e7eb}
.state-passed,.sweep-green,.level-ok{background:#dcfce7;color:#166534}
.state-failed,.state-errored,.sweep-red,.level-hard{background:#fee2e2;color:#991b1b}
.sweep-broken{background:#7f1d1d;color:#fff}.level-soft{background:#fef3c7;color:#92400e}
.state-running{background:#dbeafe;color:#1e40af}.state-queued{background:#f3e8ff;color:#6b21a8}
tr.level-ok,tr.level-soft,tr.level-hard{background:none;color:inherit}
.runs td:nth-child(4){font-weight:600}.runs tr.mode-cold td:nth-child(4){color:#1d4ed8}.runs tr.mode-quick td:nth-child(4){color:#c2410c}
.runs td:nth-child(5){font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
.bar{width:140px;height:10px;background:var(--bg);border:1px solid var(--line);border-radius:5px;overflow:hidden}
.bar div{height:100%;background:#6b7280}tr.level-soft .bar div{background:#d97706}tr.level-hard .bar div{background:#dc2626}
.grid{stroke:#e5e7eb}.axis{stroke:#6b7280}.tick{font-size:11px;fill:#59636e}.legend text{font-size:12px;fill:#1f2328}
.plot{max-width:100%;height:auto}
`;

/** The whole page from the model: every value escaped by the `html` template. */
export function renderStatusHtml(model: StatusModel, now = Date.parse(model.generatedAt)): string {
  const u = model.unavailable;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>ccci status</title><style>${new Html(STYLE)}</style></head>
<body><header><h1>ccci status</h1><p>${model.running.length} running, ${model.queued.length} queued, ${model.canonicals.length} canonicals, generated ${formatTime(model.generatedAt)}. JSON: <code>Accept: application/json</code>.</p></header>
${renderRunTable("running", "Running", model.running, now)}
${renderRunTable("queued", "Queue", model.queued, now)}
${renderCanonicals(model.canonicals, now, u.canonicals)}
<section id="durations"><h2>Run durations by mode</h2>${u.durations ? html`<p class="unavailable">Unavailable: ${u.durations}</p>` : html``}${renderDurationPlot(model.durations)}</section>
${renderLastSweep(model.lastSweep, now, u.lastSweep)}
${renderDisk(model.disk, u.disk)}
${renderRunTable("recent", "Recent runs", model.recent, now)}
</body></html>
`;
  return page.text;
}
