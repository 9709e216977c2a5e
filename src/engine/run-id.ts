import { randomHex } from "../recipe/naming.js";

/** Sortable and unique enough for one host: `20261127T101500-a1b2c3`. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "");
  return `${stamp}-${randomHex(6)}`;
}
