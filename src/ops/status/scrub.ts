/**
 * The page is readable by anyone who can reach the bot, so strings that may carry a credential are
 * scrubbed: a git URL given to the CLI can hold `user:token@`, and a reason can quote such a URL or a
 * GitHub token. Secrets a run generated never reach its record (the engine redacts them), so these two
 * shapes are what is left.
 */
const urlCredentials = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;
const githubToken = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g;

export function scrubSecrets(text: string): string {
  return text.replace(urlCredentials, "$1[redacted]@").replace(githubToken, "[redacted]");
}

/** Scrubs every string inside plain JSON data (a sweep report: repositories, reasons, notes). */
export function scrubDeep<T>(value: T): T {
  if (typeof value === "string") return scrubSecrets(value) as T;
  if (Array.isArray(value)) return value.map(scrubDeep) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v)])) as T;
  }
  return value;
}
