/** One `KEY=value  # comment` line of an abra env file. */
export interface EnvEntry {
  key: string;
  value: string;
  /** The trailing comment without `#`, e.g. `length=32`. */
  comment?: string;
}

const assignment = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

function splitValueAndComment(rest: string): { value: string; comment?: string } {
  const trimmed = rest.trim();
  const quote = trimmed[0];
  if (quote === '"') {
    // Double quotes may hold JSON-style escapes (`\"`, `\\`): find the first unescaped closing quote.
    const match = /^"((?:[^"\\]|\\.)*)"(.*)$/.exec(trimmed);
    if (match) {
      let value = match[1]!;
      try {
        value = JSON.parse(`"${value}"`) as string;
      } catch {
        // not valid JSON escapes: keep the text between the quotes as it is
      }
      const hash = match[2]!.indexOf("#");
      return { value, comment: hash >= 0 ? match[2]!.slice(hash + 1).trim() : undefined };
    }
  }
  if (quote === "'") {
    const end = trimmed.indexOf(quote, 1);
    if (end > 0) {
      const after = trimmed.slice(end + 1);
      const hash = after.indexOf("#");
      return { value: trimmed.slice(1, end), comment: hash >= 0 ? after.slice(hash + 1).trim() : undefined };
    }
  }
  const hash = trimmed.search(/\s#/);
  if (hash < 0) return { value: trimmed };
  return { value: trimmed.slice(0, hash).trim(), comment: trimmed.slice(hash).replace(/^\s*#/, "").trim() };
}

/** Parses an env file the way abra reads `.env.sample`: commented-out lines are not settings. */
export function parseEnvFile(text: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(line)) continue;
    const match = assignment.exec(line);
    if (!match) continue;
    const { value, comment } = splitValueAndComment(match[2] ?? "");
    entries.push({ key: match[1]!, value, ...(comment ? { comment } : {}) });
  }
  return entries;
}

export function envToRecord(entries: EnvEntry[]): Record<string, string> {
  return Object.fromEntries(entries.map((e) => [e.key, e.value]));
}

/** Renders an env file; values are double-quoted when they hold spaces or quotes. */
export function renderEnvFile(env: Record<string, string>): string {
  const lines = Object.entries(env).map(([key, value]) =>
    /^[A-Za-z0-9_./:@,+-]*$/.test(value) ? `${key}=${value}` : `${key}=${JSON.stringify(value)}`,
  );
  return `${lines.join("\n")}\n`;
}
