import type { Mode } from "../engine/run.js";

/** What a pull-request comment asks of ccci. `null`: the comment is not addressed to ccci at all. */
export type Command = { kind: "run"; mode: Mode } | { kind: "help"; reason: string };

export const COMMAND_WORD = "!testme";

/** The commands a help reply lists, with what each does. */
export const validCommands: readonly { command: string; effect: string }[] = [
  { command: "!testme", effect: "cold run: fresh deploy of the PR head (the gating check `ccci / cold`)" },
  {
    command: "!testme --quick",
    effect: "quick run: upgrade the recipe's warm canonical to the PR head (advisory, never gates a merge)",
  },
];

// Fences per CommonMark: up to three spaces, then three or more backticks or tildes.
const fencePattern = /^ {0,3}(`{3,}|~{3,})/;
// A block quote marker after up to three spaces of indentation.
const quotePattern = /^ {0,3}>/;
// Four or more leading spaces make an indented code block, so the command must start within three.
const commandLinePattern = /^ {0,3}!testme(.*)$/;

/**
 * The part of `line` outside HTML comments (`<!-- … -->`, which may span lines and which GitHub does not
 * render), and whether a comment is still open at its end.
 */
function outsideHtmlComments(line: string, inComment: boolean): { text: string; inComment: boolean } {
  let text = "";
  let rest = line;
  let open = inComment;
  while (rest.length > 0) {
    const index = rest.indexOf(open ? "-->" : "<!--");
    if (index < 0) {
      if (!open) text += rest;
      break;
    }
    if (!open) text += rest.slice(0, index);
    rest = rest.slice(index + (open ? 3 : 4));
    open = !open;
  }
  return { text, inComment: open };
}

/** The comment's lines that are prose: fenced code blocks, `>` quotes and HTML comments are dropped. */
export function proseLines(body: string): string[] {
  const lines: string[] = [];
  let openFence: string | null = null;
  let inComment = false;
  for (const line of body.split(/\r?\n/)) {
    const fence = fencePattern.exec(line)?.[1];
    if (openFence !== null) {
      if (fence !== undefined && fence[0] === openFence[0] && fence.length >= openFence.length)
        openFence = null;
      continue;
    }
    if (fence !== undefined && !inComment) {
      openFence = fence;
      continue;
    }
    const wasInComment = inComment;
    const outside = outsideHtmlComments(line, inComment);
    inComment = outside.inComment;
    // A line that is all comment is not prose, not even an empty line of it.
    if (wasInComment && outside.text.trim() === "") continue;
    if (!quotePattern.test(outside.text)) lines.push(outside.text);
  }
  return lines;
}

function interpret(rest: string): Command {
  if (rest.length > 0 && !/^\s/.test(rest)) {
    return { kind: "help", reason: `unknown command ${JSON.stringify(clip(COMMAND_WORD + rest.trim()))}` };
  }
  const args = rest.trim().split(/\s+/).filter(Boolean);
  if (args.length === 0) return { kind: "run", mode: "cold" };
  if (args.length === 1 && args[0] === "--quick") return { kind: "run", mode: "quick" };
  const unknown = args.filter((arg) => arg !== "--quick");
  const reason =
    unknown.length > 0
      ? `unknown argument ${JSON.stringify(clip(unknown[0] ?? ""))}`
      : "`--quick` given more than once";
  return { kind: "help", reason };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Parses a pull-request comment. The first line that starts with `!testme` (outside code and quotes)
 * decides: `!testme` → cold, `!testme --quick` → quick, anything else starting with `!testme` → help.
 */
export function parse(commentBody: string): Command | null {
  for (const line of proseLines(commentBody)) {
    const match = commandLinePattern.exec(line);
    if (match) return interpret((match[1] ?? "").trimEnd());
  }
  return null;
}
