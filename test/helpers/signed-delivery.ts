import { createHmac, randomUUID } from "node:crypto";

/** Headers and body of a webhook delivery signed the way GitHub signs it (HMAC-SHA256 of the body). */
export function signedDelivery(event: string, payload: unknown, secret: string) {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": signature,
    } as Record<string, string>,
  };
}
