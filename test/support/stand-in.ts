import { appendFileSync, chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Recording stand-ins: small executable shell scripts that take the place of `docker` or `abra`. Each call
 * appends one line to a shared log (argv, cwd, selected environment variables, stdin when asked) and then
 * answers from canned rules. Several stand-ins (and the test itself, with `mark`) may share one log, so
 * the test reads a single timeline of everything that happened, in order.
 */

/** `when` is a glob over the space-joined arguments (`*` is the only wildcard); `sh` is the answer. */
export interface StandInRule {
  when: string;
  /**
   * Shell code written by the test (never outside data). `$stack` holds the value of a
   * `label=com.docker.stack.namespace=…` argument, `$name_filter` that of a `name=…` argument.
   */
  sh: string;
}

export interface StandInOptions {
  rules?: StandInRule[];
  /** Environment variables to record; an unset one is recorded as absent. */
  recordEnv?: string[];
  /** Globs (as in rules) of calls whose stdin is read and recorded. */
  stdinWhen?: string[];
}

export interface Call {
  tool: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  stdin?: string;
}

const US = "\x1f";
const RS = "\x1e";

/** A glob as a `case` pattern: literal pieces single-quoted, `*` left bare. */
function casePattern(glob: string): string {
  return glob
    .split("*")
    .map((piece) => (piece === "" ? "" : `'${piece.replaceAll("'", `'\\''`)}'`))
    .join("*");
}

export class Timeline {
  constructor(readonly logPath: string) {
    writeFileSync(logPath, "");
  }

  /** Adds a line of the test's own (e.g. a fake deployer's call) to the timeline. */
  mark(what: string): void {
    appendFileSync(this.logPath, `${["mark", what, "", "", ""].join(RS)}\n`);
  }

  calls(): Call[] {
    return readFileSync(this.logPath, "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => {
        const [tool = "", args = "", cwd = "", env = "", stdin = ""] = line.split(RS);
        const recorded = env === "" ? [] : env.split(US);
        return {
          tool,
          args: args === "" ? [] : args.split(US),
          cwd,
          env: Object.fromEntries(
            recorded.map((pair) => {
              const eq = pair.indexOf("=");
              return eq < 0 ? [pair, undefined] : [pair.slice(0, eq), pair.slice(eq + 1)];
            }),
          ),
          ...(stdin !== "" ? { stdin } : {}),
        };
      });
  }

  /** Each call as one readable line, `docker stack rm x` or `mark deployer create`. */
  lines(): string[] {
    return this.calls().map((c) => [c.tool, ...c.args].join(" "));
  }
}

/** A temp dir holding a timeline log; stand-ins written into it share the log. */
export function standInDir(prefix = "ccci-standin-"): { dir: string; timeline: Timeline } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, timeline: new Timeline(join(dir, "calls.log")) };
}

/** Writes an executable stand-in named `tool` into `dir`; returns its path. */
export function writeStandIn(
  dir: string,
  tool: string,
  timeline: Timeline,
  options: StandInOptions = {},
): string {
  const envFields = (options.recordEnv ?? []).map(
    (name) =>
      `if [ "\${${name}+set}" = set ]; then env="\${env}\${US}${name}=\${${name}}"; else env="\${env}\${US}${name}"; fi`,
  );
  const stdinCases = (options.stdinWhen ?? []).map((glob) => `  ${casePattern(glob)}) input="$(cat)" ;;`);
  const ruleCases = (options.rules ?? []).map((rule) => `  ${casePattern(rule.when)})\n${rule.sh}\n    ;;`);
  const script = `#!/bin/sh
US='${US}'
RS='${RS}'
stack=''
name_filter=''
for a in "$@"; do
  case "$a" in
    label=com.docker.stack.namespace=*) stack="\${a#label=com.docker.stack.namespace=}" ;;
    name=*) name_filter="\${a#name=}" ;;
  esac
done
input=''
case "$*" in
${stdinCases.join("\n")}
  *) ;;
esac
args=''
first=1
for a in "$@"; do
  if [ $first = 1 ]; then args="$a"; first=0; else args="$args$US$a"; fi
done
env=''
${envFields.join("\n")}
env="\${env#"$US"}"
printf '%s\\n' "${tool}$RS$args$RS$PWD$RS$env$RS$input" >> '${timeline.logPath}'
case "$*" in
${ruleCases.join("\n")}
  *) ;;
esac
exit 0
`;
  const path = join(dir, tool);
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}
