import { randomInt } from "node:crypto";

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Punctuation for `charset=special-chars`: printable, no quotes, backslash or space (safe in env files). */
const special = "!#%&()*+,-./:;<=>?@[]^_{|}~";

/**
 * A random secret like abra's `app secret generate`: letters and digits (safe in URLs and env files), or
 * with `special-chars` also punctuation.
 */
export function generateSecret(length: number, charset: "default" | "special-chars" = "default"): string {
  const alphabet = charset === "special-chars" ? alphanumeric + special : alphanumeric;
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}
