import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../log.js";
import { hasValidSignature } from "./signature.js";

export const GITEA_WEBHOOK_PATH = "/api/gitea/webhooks";

/** Gitea's own payloads are a few KiB (a PR comment with its PR ~10 KiB); anything past this is refused. */
export const MAX_DELIVERY_BYTES = 1024 * 1024;

export type DeliveryHandler = (event: string, payload: unknown, log: Logger) => void;

class TooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ message }));
}

/**
 * `POST /api/gitea/webhooks`: bounded body → signature → JSON → the handler for `X-Gitea-Event`.
 * Unsigned or forged deliveries get 401 and reach nothing; the handler only queues work, so Gitea gets
 * its answer at once. Returns false for other paths (the next handler answers them).
 */
export function giteaWebhookRoute(secret: string, handle: DeliveryHandler, log: Logger) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== GITEA_WEBHOOK_PATH) return false;
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return true;
    }
    const deliveryId = String(req.headers["x-gitea-delivery"] ?? req.headers["x-forgejo-delivery"] ?? "");
    const deliveryLog = log.child({ deliveryId });
    let body: Buffer;
    try {
      body = await readBody(req, MAX_DELIVERY_BYTES);
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
      deliveryLog.warn({ limit: MAX_DELIVERY_BYTES }, "delivery refused: body too large");
      answer(res, 413, `delivery larger than ${MAX_DELIVERY_BYTES} bytes`);
      req.resume();
      return true;
    }
    if (!hasValidSignature(body, secret, req.headers)) {
      deliveryLog.warn("delivery refused: signature missing or wrong (check the hook's secret)");
      answer(
        res,
        401,
        "signature does not match: the hook's secret must be CCCI_GITEA_WEBHOOK_SECRET_FILE's",
      );
      return true;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      answer(res, 400, "body is not JSON: set the hook's content type to application/json");
      return true;
    }
    const event = String(req.headers["x-gitea-event"] ?? req.headers["x-forgejo-event"] ?? "");
    handle(event, payload, deliveryLog);
    answer(res, 200, "ok");
    return true;
  };
}
