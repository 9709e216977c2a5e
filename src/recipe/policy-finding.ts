import { interpolate } from "./interpolate.js";

/** One thing a compose file asks for that ccci's policy refuses. */
export interface Finding {
  /** Where in the file: `service app: volumes`, `volumes.data: driver_opts`. */
  where: string;
  problem: string;
  /** The enrolment exceptions that would each permit it (the first is the one to suggest); none: a cap. */
  allow: string[];
}

/** What a rule sees: one compose file, its strings interpolated as the deploy will see them. */
export interface PolicyScope {
  file: string;
  checkoutDir: string;
  stack: string;
  env: Record<string, string>;
  maxReplicas: number;
  maxTimeoutSeconds: number;
}

/** A compose value as text after interpolation (an interpolation error leaves the raw text: the deploy fails on it). */
export function text(value: unknown, scope: PolicyScope): string {
  const raw = typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
  try {
    return interpolate(raw, scope.env);
  } catch {
    return raw;
  }
}

export function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object") return Object.entries(value).map(([k, v]) => `${k}=${v}`);
  return value === undefined || value === null ? [] : [value];
}

export function mapOf(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
