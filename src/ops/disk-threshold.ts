import { z } from "zod";

/** A free-space threshold: an absolute amount or a share of the filesystem's size. */
export type DiskThreshold = { kind: "bytes"; bytes: number } | { kind: "percent"; percent: number };

const units: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
const thresholdPattern = /^(\d+(?:\.\d+)?)\s*(%|[KMGT]i?B?)$/i;

/** Parses `15%`, `10GB`, `512M`, `2GiB`; undefined when malformed. Units are binary (1 GB = 1024³ B). */
export function parseDiskThreshold(text: string): DiskThreshold | undefined {
  const match = thresholdPattern.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]!.toUpperCase();
  if (unit === "%") return amount <= 100 ? { kind: "percent", percent: amount } : undefined;
  return { kind: "bytes", bytes: Math.round(amount * units[unit[0]!]!) };
}

/** For src/config.ts: `CCCI_DISK_SOFT` / `CCCI_DISK_HARD` accept `15%` or `10GB`. */
export const diskThresholdSchema = z.string().transform((text, ctx) => {
  const threshold = parseDiskThreshold(text);
  if (!threshold) {
    ctx.addIssue({
      code: "custom",
      message: "expected a size such as 10GB or 512MB, or a share such as 15%",
    });
    return z.NEVER;
  }
  return threshold;
});

/** The threshold in bytes for a filesystem of `totalBytes`. */
export function thresholdBytes(threshold: DiskThreshold, totalBytes: number): number {
  return threshold.kind === "bytes" ? threshold.bytes : Math.round((threshold.percent / 100) * totalBytes);
}

export function describeThreshold(threshold: DiskThreshold, totalBytes: number): string {
  const bytes = formatBytes(thresholdBytes(threshold, totalBytes));
  return threshold.kind === "bytes"
    ? bytes
    : `${bytes} (${threshold.percent}% of ${formatBytes(totalBytes)})`;
}

/** `1.5 GB`, `20.0 MB`, `512 B`: binary units, one decimal. */
export function formatBytes(bytes: number): string {
  const steps = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let step = 0;
  while (Math.abs(value) >= 1024 && step < steps.length - 1) {
    value /= 1024;
    step += 1;
  }
  return step === 0 ? `${value} B` : `${value.toFixed(1)} ${steps[step]}`;
}
