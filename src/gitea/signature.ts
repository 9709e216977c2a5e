import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Gitea signs the raw body with HMAC-SHA256 of the hook's secret: `X-Hub-Signature-256: sha256=<hex>`
 * (GitHub's header) and `X-Gitea-Signature: <hex>` (Forgejo also sends `X-Forgejo-Signature`). Any one
 * of them must match; the comparison takes the same time whatever the mismatch.
 */
export function hasValidSignature(
  body: Buffer,
  secret: string,
  headers: Record<string, string | string[] | undefined>,
): boolean {
  const expected = createHmac("sha256", secret).update(body).digest();
  const candidates = [
    stripPrefix(headers["x-hub-signature-256"]),
    headerValue(headers["x-gitea-signature"]),
    headerValue(headers["x-forgejo-signature"]),
  ];
  return candidates.some((hex) => hex !== undefined && matches(hex, expected));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function stripPrefix(value: string | string[] | undefined): string | undefined {
  const text = headerValue(value);
  return text?.startsWith("sha256=") ? text.slice("sha256=".length) : undefined;
}

function matches(hex: string, expected: Buffer): boolean {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  return timingSafeEqual(Buffer.from(hex, "hex"), expected);
}
