import type { IncomingMessage, ServerResponse } from "node:http";
import type { EngineApi } from "../engine/api.js";
import { describeError } from "../errors.js";
import type { Logger } from "../log.js";
import { renderStatusHtml } from "./status/render-page.js";
import { collectStatus, type StatusSources } from "./status/status-model.js";

export const STATUS_PATH = "/ccci";
export const HEALTH_PATH = "/ccci/healthz";

export type { StatusSources } from "./status/status-model.js";

const SECURITY_HEADERS = {
  // Nothing on the page loads from anywhere: forbid it, so an escaping bug could not run a script.
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};

function wantsJson(req: IncomingMessage): boolean {
  return (req.headers.accept ?? "").includes("application/json");
}

async function answerStatus(
  req: IncomingMessage,
  res: ServerResponse,
  engine: EngineApi,
  sources?: StatusSources,
): Promise<void> {
  const model = await collectStatus(engine, sources);
  if (wantsJson(req)) {
    res
      .writeHead(200, { "content-type": "application/json", ...SECURITY_HEADERS })
      .end(JSON.stringify(model));
  } else {
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS })
      .end(renderStatusHtml(model));
  }
}

/**
 * A Probot server handler (probot@14 has no `getRouter`; apps mount handlers with `addHandler`):
 * `GET /ccci` (HTML, or JSON when asked with `Accept: application/json`) and `GET /ccci/healthz`.
 * Without `sources` the page shows the engine's runs only. Decides synchronously (false for any other
 * request, so Probot's next handler answers it) and answers the page asynchronously.
 */
export function statusPageHandler(engine: EngineApi, sources?: StatusSources, log?: Logger) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
    if (path !== STATUS_PATH && path !== HEALTH_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (path === HEALTH_PATH) {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}\n');
    } else {
      answerStatus(req, res, engine, sources).catch((error: unknown) => {
        log?.error({ err: error }, "status page failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`status page failed: ${describeError(error)}\n`);
      });
    }
    return true;
  };
}
