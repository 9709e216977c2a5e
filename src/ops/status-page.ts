import type { IncomingMessage, ServerResponse } from "node:http";
import type { EngineApi } from "../engine/api.js";
import { isFinished, type Run } from "../engine/run.js";

export const STATUS_PATH = "/ccci";
export const HEALTH_PATH = "/ccci/healthz";
const RECENT_LIMIT = 50;

interface RunRow {
  id: string;
  repo: string;
  mode: Run["mode"];
  sha: string | null;
  state: Run["state"];
  /** The swarm stack of the run's app, once it has a domain. */
  stack?: string;
  queuePosition?: number;
  durationMs?: number;
  queuedAt: string;
}

/** Queued, running and the most recent finished runs, as plain data. */
export function statusOf(engine: EngineApi): { queued: RunRow[]; running: RunRow[]; recent: RunRow[] } {
  const rows = engine.list().map((run) => ({
    id: run.id,
    repo: run.repo,
    mode: run.mode,
    sha: run.sha,
    state: run.state,
    queuedAt: run.queuedAt,
    ...(run.stack ? { stack: run.stack } : {}),
    ...(run.durationMs !== undefined ? { durationMs: run.durationMs } : {}),
    ...(run.state === "queued" ? { queuePosition: engine.queuePosition(run.id) } : {}),
    finished: isFinished(run),
  }));
  const strip = ({ finished: _f, ...row }: RunRow & { finished: boolean }): RunRow => row;
  return {
    queued: rows.filter((r) => r.state === "queued").map(strip),
    running: rows.filter((r) => r.state === "running").map(strip),
    recent: rows
      .filter((r) => r.finished)
      .slice(0, RECENT_LIMIT)
      .map(strip),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function table(title: string, rows: RunRow[]): string {
  const body = rows
    .map((r) => {
      const seconds = r.durationMs === undefined ? "" : `${(r.durationMs / 1000).toFixed(1)} s`;
      const verdict = r.queuePosition ? `${r.state} (#${r.queuePosition})` : r.state;
      const cells = [r.id, r.repo, r.mode, (r.sha ?? "").slice(0, 7), verdict, seconds];
      return `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`;
    })
    .join("\n");
  const head = "<tr><th>Run</th><th>Repo</th><th>Mode</th><th>SHA</th><th>Verdict</th><th>Duration</th></tr>";
  return `<h2>${title} (${rows.length})</h2>\n<table>${head}\n${body}</table>`;
}

export function renderStatusPage(engine: EngineApi): string {
  const status = statusOf(engine);
  return [
    "<!doctype html><html><head><meta charset=utf-8><title>ccci</title></head><body><h1>ccci</h1>",
    table("Running", status.running),
    table("Queued", status.queued),
    table("Recent", status.recent),
    "</body></html>",
  ].join("\n");
}

/**
 * A Probot server handler (probot@14 has no `getRouter`; apps mount handlers with `addHandler`):
 * `GET /ccci` (HTML, or JSON when asked with `Accept: application/json`) and `GET /ccci/healthz`.
 * Returns false for any other request so Probot's next handler answers it.
 */
export function statusPageHandler(engine: EngineApi) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
    if (path !== STATUS_PATH && path !== HEALTH_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    if (path === HEALTH_PATH) {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}\n');
    } else if ((req.headers.accept ?? "").includes("application/json")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(statusOf(engine)));
    } else {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(renderStatusPage(engine));
    }
    return true;
  };
}
