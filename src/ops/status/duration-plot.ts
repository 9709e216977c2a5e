import type { Mode } from "../../engine/run.js";
import type { DurationPoint } from "./duration-history.js";
import { type Html, html } from "./escape-html.js";
import { formatDuration, formatTime } from "./format.js";

const WIDTH = 760;
const HEIGHT = 280;
const MARGIN = { left: 64, right: 16, top: 28, bottom: 40 };
const COLOURS: Record<Mode, string> = { cold: "#1d4ed8", quick: "#c2410c" };
const MODES: Mode[] = ["cold", "quick"];

interface Scale {
  x: (iso: string) => number;
  y: (ms: number) => number;
  xTicks: number[];
  yTicks: number[];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
// Steps a reader counts in: whole seconds, minutes and hours, never "3.3 min".
const STEPS = [1, 2, 5, 10, 15, 30]
  .map((s) => s * SECOND)
  .concat(
    [1, 2, 5, 10, 15, 30].map((m) => m * MINUTE),
    [1, 2, 3, 6, 12, 24].map((h) => h * HOUR),
  );

/** The smallest readable step that draws at most about four grid lines up to `max`. */
function niceStep(max: number): number {
  return STEPS.find((step) => max / step <= 4) ?? Math.ceil(max / 4 / HOUR) * HOUR;
}

/** An axis label: `0`, `30 s`, `2 min`, `1 h 30 min`. */
function tickLabel(ms: number): string {
  if (ms === 0) return "0";
  if (ms % MINUTE !== 0) return `${ms / SECOND} s`;
  if (ms < HOUR) return `${ms / MINUTE} min`;
  const minutes = (ms % HOUR) / MINUTE;
  return `${Math.floor(ms / HOUR)} h${minutes ? ` ${minutes} min` : ""}`;
}

function scaleOf(points: DurationPoint[]): Scale {
  const times = points.map((p) => Date.parse(p.finishedAt));
  let [t0, t1] = [Math.min(...times), Math.max(...times)];
  if (t1 - t0 < 60_000) [t0, t1] = [t0 - 1_800_000, t1 + 1_800_000]; // one moment: centre it in an hour
  const longest = Math.max(...points.map((p) => p.durationMs), SECOND);
  const yStep = niceStep(longest);
  const yMax = yStep * Math.ceil(longest / yStep);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  return {
    x: (iso) => MARGIN.left + ((Date.parse(iso) - t0) / (t1 - t0)) * plotW,
    y: (ms) => MARGIN.top + plotH - (ms / yMax) * plotH,
    xTicks: [0, 1, 2, 3].map((i) => t0 + ((t1 - t0) * i) / 3),
    yTicks: Array.from({ length: Math.round(yMax / yStep) + 1 }, (_, i) => i * yStep),
  };
}

const fixed = (n: number) => n.toFixed(1);

function axes(scale: Scale): Html {
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;
  const yLines = scale.yTicks.map((ms) => {
    const y = fixed(scale.y(ms));
    return html`<line class="grid" x1="${left}" x2="${right}" y1="${y}" y2="${y}"/><text class="tick y" x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(ms)}</text>`;
  });
  const bottom = HEIGHT - MARGIN.bottom;
  const xLabels = scale.xTicks.map((t, i) => {
    const anchor = i === 0 ? "start" : i === scale.xTicks.length - 1 ? "end" : "middle";
    const iso = new Date(t).toISOString();
    return html`<text class="tick" x="${fixed(scale.x(iso))}" y="${bottom + 18}" text-anchor="${anchor}">${formatTime(iso).replace(" UTC", "")}</text>`;
  });
  return html`${yLines}<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>${xLabels}`;
}

function series(mode: Mode, points: DurationPoint[], scale: Scale): Html {
  const colour = COLOURS[mode];
  const line = points.map((p) => `${fixed(scale.x(p.finishedAt))},${fixed(scale.y(p.durationMs))}`).join(" ");
  const dots = points.map((p) => {
    // A run that did not pass is drawn hollow: the eye finds the failures without a second legend.
    const fill = p.state === "passed" ? colour : "#ffffff";
    const label = `${p.recipe} ${mode} ${p.state}: ${formatDuration(p.durationMs)} at ${formatTime(p.finishedAt)}`;
    return html`<circle class="point" data-run="${p.runId}" data-state="${p.state}" cx="${fixed(scale.x(p.finishedAt))}" cy="${fixed(scale.y(p.durationMs))}" r="4.5" fill="${fill}" stroke="${colour}" stroke-width="2"><title>${label}</title></circle>`;
  });
  return html`<g class="series" data-mode="${mode}"><polyline points="${line}" fill="none" stroke="${colour}" stroke-width="1.5" stroke-opacity="0.5"/>${dots}</g>`;
}

function legend(modes: Mode[]): Html {
  return html`${modes.map((mode, i) => {
    const x = MARGIN.left + i * 110;
    return html`<g class="legend" data-mode="${mode}"><circle cx="${x + 6}" cy="12" r="5" fill="${COLOURS[mode]}"/><text x="${x + 16}" y="12" dominant-baseline="middle">${mode}</text></g>`;
  })}<text class="tick" x="${WIDTH - MARGIN.right}" y="12" text-anchor="end" dominant-baseline="middle">hollow = did not pass</text>`;
}

/**
 * Run duration against finish time, one series per mode, as inline SVG: no script, no external
 * resource, so the page works offline and without JavaScript. Hovering a point shows its run.
 */
export function renderDurationPlot(points: DurationPoint[]): Html {
  if (points.length === 0) return html`<p class="empty">No finished runs yet.</p>`;
  const scale = scaleOf(points);
  const modes = MODES.filter((mode) => points.some((p) => p.mode === mode));
  const byMode = modes.map((mode) =>
    series(
      mode,
      points.filter((p) => p.mode === mode).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt)),
      scale,
    ),
  );
  return html`<svg class="plot" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="Run durations by mode over time">${legend(modes)}${axes(scale)}${byMode}</svg>`;
}
