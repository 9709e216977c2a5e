/**
 * Compose-style variable interpolation, as `docker stack deploy` (docker/cli's compose template) and abra
 * read compose files: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`,
 * `${VAR+alt}`, `${VAR:?err}`, `${VAR?err}` and `$$` for a literal dollar. A default or alternative may
 * itself hold variables (`${A:-${B}}`). Any other `$` is an error, as docker reports it, so a plan
 * fails with the place to fix rather than the deploy.
 */
export type Lookup = (name: string) => string | undefined;

export interface InterpolateOptions {
  /** Which names count: compose takes any case, godotenv (env files) only `[A-Z0-9_]`. */
  name?: RegExp;
  /**
   * What a `$` that starts nothing does: compose rejects it; env files (godotenv) keep it as it is, drop
   * the `$` of `$(` (no command substitution) and take `\$` as a literal dollar.
   */
  onInvalid?: "throw" | "keep";
}

const composeName = /^[A-Za-z_][A-Za-z0-9_]*/;

export class InterpolationError extends Error {}

/** The index of the `}` closing the `${` whose body starts at `from`, counting nested `${…}`. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "$" && text[i + 1] === "{") {
      depth++;
      i++;
    } else if (text[i] === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function substitute(body: string, lookup: Lookup, options: Required<InterpolateOptions>): string {
  const name = options.name.exec(body)?.[0];
  const rest = body.slice(name?.length ?? 0);
  const op = /^(:?[-+?])/.exec(rest)?.[1];
  if (!name || (!op && rest !== "")) {
    if (options.onInvalid === "keep") return `\${${body}}`;
    throw new InterpolationError(`invalid interpolation format: \${${body}}`);
  }
  const value = lookup(name);
  const arg = op ? rest.slice(op.length) : "";
  const unset = value === undefined || (op?.startsWith(":") === true && value === "");
  const expand = () => interpolateWith(arg, lookup, options);
  switch (op?.slice(-1)) {
    case "-":
      return unset ? expand() : value!;
    case "+":
      return unset ? "" : expand();
    case "?":
      if (unset)
        throw new InterpolationError(
          `required variable ${name} is ${value === undefined ? "not set" : "empty"}: ${arg || "(no message)"}`,
        );
      return value!;
    default:
      return value ?? "";
  }
}

function interpolateWith(text: string, lookup: Lookup, options: Required<InterpolateOptions>): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0) return out + text.slice(i);
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (options.onInvalid === "keep" && (text[dollar - 1] === "\\" || next === "(")) {
      // godotenv: `\$X` is a literal `$X`; `$(` loses its `$`, so nothing looks like a command.
      if (next !== "(") out = `${out.slice(0, -1)}$`;
      i = dollar + 1;
      continue;
    }
    if (next === "$") {
      out += "$";
      i = dollar + 2;
      continue;
    }
    if (next === "{") {
      const end = closingBrace(text, dollar + 2);
      if (end < 0) throw new InterpolationError(`unterminated \${ in ${JSON.stringify(text)}`);
      out += substitute(text.slice(dollar + 2, end), lookup, options);
      i = end + 1;
      continue;
    }
    const bare = options.name.exec(text.slice(dollar + 1))?.[0];
    if (bare) {
      out += lookup(bare) ?? "";
      i = dollar + 1 + bare.length;
      continue;
    }
    if (options.onInvalid === "throw")
      throw new InterpolationError(
        `invalid interpolation format in ${JSON.stringify(text)}: a lone $ (write $$ for a literal dollar)`,
      );
    out += "$";
    i = dollar + 1;
  }
  return out;
}

export function interpolateLookup(text: string, lookup: Lookup, options: InterpolateOptions = {}): string {
  return interpolateWith(text, lookup, { name: composeName, onInvalid: "throw", ...options });
}

export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return interpolateLookup(text, (name) => (Object.hasOwn(env, name) ? env[name] : undefined));
}
