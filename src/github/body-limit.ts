import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Logger } from "../log.js";

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface BodyLimitOptions {
  /** The webhook path: only its bodies are read here (and handed on as `rawBody`). */
  webhookPath: string;
  maxBytes: number;
  log: Logger;
}

function refuse(req: IncomingMessage, res: ServerResponse, options: BodyLimitOptions, size: string): void {
  options.log.warn(
    { deliveryId: req.headers["x-github-delivery"], size, limit: options.maxBytes, path: req.url },
    "request body over the limit: answered 413 unread",
  );
  if (!res.headersSent) {
    const error = `request body larger than ${options.maxBytes} bytes (CCCI_WEBHOOK_MAX_BYTES)`;
    // No `connection: close`: Node would destroy the socket as soon as the answer is flushed, and a
    // client still sending would get a reset before it read the 413 (nginx's "lingering close" problem).
    res.writeHead(413, { "content-type": "application/json" });
    res.end(`${JSON.stringify({ error })}\n`);
  }
  // Nothing more is kept. What the client still sends is discarded for a moment, so it can read the 413
  // (closing a socket with unread data resets it, and the answer with it); then the socket is closed.
  req.removeAllListeners("data");
  let discarded = 0;
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > options.maxBytes) req.socket.destroy();
  });
  const timer = setTimeout(() => req.socket.destroy(), 2_000);
  timer.unref();
  req.socket.once("close", () => clearTimeout(timer));
}

/** Reads the webhook body, counting as it comes; past the limit the request is refused at once. */
function readCapped(req: IncomingMessage, res: ServerResponse, options: BodyLimitOptions, next: () => void) {
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > options.maxBytes) {
      refused = true;
      refuse(req, res, options, `more than ${options.maxBytes} (chunked)`);
    } else chunks.push(chunk);
  });
  req.once("end", () => {
    if (refused) return;
    // @octokit/webhooks' middleware takes a body already read from `rawBody` (Express' convention).
    Object.assign(req, { body: {}, rawBody: Buffer.concat(chunks) });
    next();
  });
  req.once("error", () => undefined); // a client hanging up mid-body: nothing to answer
}

/**
 * Caps request bodies before anything reads them or checks their signature: Probot's webhook middleware
 * would buffer a body of any size first (an unsigned 300 MB POST cost the bot 3.5 GB). A declared
 * `content-length` over the limit is refused without reading a byte; a chunked body is counted as it
 * arrives. The server's own listeners (Probot's handler chain) run only for bodies within the limit.
 */
export function limitRequestBodies(server: Server, options: BodyLimitOptions): void {
  const listeners = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const next = () => {
      for (const listener of listeners) listener.call(server, req, res);
    };
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > options.maxBytes) return refuse(req, res, options, String(declared));
    const path = (req.url ?? "/").split("?")[0]?.replace(/\/+$/, "");
    if (req.method !== "POST" || path !== options.webhookPath.replace(/\/+$/, "")) return next();
    readCapped(req, res, options, next);
  });
}
