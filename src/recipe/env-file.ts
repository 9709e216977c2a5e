import { InterpolationError, interpolateLookup } from "./interpolate.js";

/** One `KEY=value  # comment` statement of an abra env file. */
export interface EnvEntry {
  key: string;
  /** The value as abra reads it: quotes removed, escapes and variables expanded. */
  value: string;
  /** The trailing comment without `#`, e.g. `length=32` (abra's modifiers). */
  comment?: string;
}

export interface ParseEnvOptions {
  /**
   * Values that replace the file's own when their line is read, so later lines see them: abra writes the
   * app's own DOMAIN (and TYPE) into the env file it makes from `.env.sample`.
   */
  overrides?: Record<string, string>;
}

export class EnvFileError extends Error {}

// godotenv (which abra's env reading forks): an optional `export`, a name of letters, digits, `_` and `.`,
// then `=` (or yaml-style `:`).
const statement = /^(?:export[ \t]+)?([A-Za-z0-9_.]+)[ \t]*[=:][ \t]*/;
const envName = /^[A-Z0-9_]+/;

/** Double quotes: `\n`/`\r` become line breaks, `\x` becomes `x` — except `\$`, left for the expansion. */
const unescapeDoubleQuoted = (raw: string) =>
  raw.replace(/\\(.)/gs, (match, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c === "$" ? match : c));

function trailingComment(text: string): string | undefined {
  const match = /^[ \t]*#(.*)$/.exec(text);
  const comment = match?.[1]?.trim();
  return comment ? comment : undefined;
}

interface Scanned {
  key: string;
  raw: string;
  quote?: "'" | '"';
  comment?: string;
  next: number;
}

function scanQuoted(src: string, key: string, start: number, quote: "'" | '"'): Scanned {
  for (let k = start + 1; k < src.length; k++) {
    if (src[k] !== quote || src[k - 1] === "\\") continue;
    const lineEnd = src.indexOf("\n", k) < 0 ? src.length : src.indexOf("\n", k);
    return {
      key,
      raw: src.slice(start + 1, k),
      quote,
      comment: trailingComment(src.slice(k + 1, lineEnd)),
      next: lineEnd + 1,
    };
  }
  throw new EnvFileError(`${key}: unterminated ${quote === '"' ? "double" : "single"}-quoted value`);
}

function scanUnquoted(src: string, key: string, start: number, lineEnd: number): Scanned {
  const line = src.slice(start, lineEnd);
  // A comment starts at a `#` after a blank (`url=http://x/#a` keeps its `#`), or at the value's start.
  const hash = line.startsWith("#") ? 0 : line.search(/[ \t\v\f]#/);
  const raw = (hash < 0 ? line : line.slice(0, hash)).trim();
  const comment = hash < 0 ? undefined : trailingComment(line.slice(hash));
  return { key, raw, comment, next: lineEnd + 1 };
}

/** The next statement from `from`: blank lines and whole-line `#` comments skipped; non-assignments too. */
function scanStatement(src: string, from: number): Scanned | undefined {
  let i = from;
  while (i < src.length) {
    while (i < src.length && /\s/.test(src[i]!)) i++;
    const lineEnd = src.indexOf("\n", i) < 0 ? src.length : src.indexOf("\n", i);
    const match = src[i] === "#" ? null : statement.exec(src.slice(i, lineEnd));
    if (!match) {
      i = lineEnd + 1;
      continue;
    }
    const start = i + match[0].length;
    const quote = src[start];
    if (quote === '"' || quote === "'") return scanQuoted(src, match[1]!, start, quote);
    return scanUnquoted(src, match[1]!, start, lineEnd);
  }
  return undefined;
}

function expandedValue(scanned: Scanned, vars: Map<string, string>): string {
  if (scanned.quote === "'") return scanned.raw;
  const text = scanned.quote === '"' ? unescapeDoubleQuoted(scanned.raw) : scanned.raw;
  try {
    // Earlier lines are visible to later ones; the host's environment is not (abra's godotenv would
    // fall back to it; a CI host must not leak its own variables into an app).
    return interpolateLookup(text, (name) => vars.get(name), { name: envName, onInvalid: "keep" });
  } catch (error) {
    if (error instanceof InterpolationError) throw new EnvFileError(`${scanned.key}: ${error.message}`);
    throw error;
  }
}

/**
 * Parses an env file the way abra reads `.env.sample` and app env files (godotenv's grammar): comment
 * lines and blank lines are skipped; `export` is allowed; single quotes are literal; double quotes take
 * `\n`/`\"` escapes and `$VAR` expansion; unquoted values are trimmed, end at ` #`, and are expanded.
 * `$VAR`/`${VAR}` see the lines above (`COMPOSE_FILE="$COMPOSE_FILE:compose.x.yml"`), with compose's
 * `${VAR:-d}`, `${VAR-d}`, `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?err}` and `${VAR?err}`.
 */
export function parseEnvFile(text: string, options: ParseEnvOptions = {}): EnvEntry[] {
  const src = text.replace(/\r\n/g, "\n");
  const vars = new Map<string, string>();
  const entries: EnvEntry[] = [];
  for (let scanned = scanStatement(src, 0); scanned; scanned = scanStatement(src, scanned.next)) {
    const override = options.overrides?.[scanned.key];
    const value = override ?? expandedValue(scanned, vars);
    vars.set(scanned.key, value);
    entries.push({ key: scanned.key, value, ...(scanned.comment ? { comment: scanned.comment } : {}) });
  }
  return entries;
}

export function envToRecord(entries: EnvEntry[]): Record<string, string> {
  return Object.fromEntries(entries.map((e) => [e.key, e.value]));
}

/**
 * Renders an env file that parseEnvFile (and abra) read back as the same values: plain values bare,
 * values with a `$` single-quoted (no expansion) when they can be, others double-quoted with escapes.
 */
export function renderEnvFile(env: Record<string, string>): string {
  const render = (value: string) => {
    if (/^[A-Za-z0-9_./:@,+-]*$/.test(value)) return value;
    if (value.includes("$") && !/['\n\r]/.test(value)) return `'${value}'`;
    const escaped = value.replace(/[\\"$\n\r]/g, (c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : `\\${c}`));
    return `"${escaped}"`;
  };
  const lines = Object.entries(env).map(([key, value]) => `${key}=${render(value)}`);
  return `${lines.join("\n")}\n`;
}
