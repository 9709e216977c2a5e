import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, validCommands } from "../../src/commands/parse.js";

/**
 * Keeps the guides honest against the code, read at test time so new commands are covered without
 * touching this file: every `ccci` command registered in src/cli.ts is described in the operator guide
 * or the runbook; every `ccci …` line the guides show names a registered command, and its subcommand and
 * flags exist in that command's module; every `!testme` form src/commands/parse.ts accepts is in the
 * maintainer guide, with the mode it really runs.
 */

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

const guides = [
  "docs/operator-guide.md",
  "docs/runbook.md",
  "docs/maintainer-guide.md",
  "docs/architecture.md",
  "docs/README.md",
];

/** src/cli.ts runs its main on import, so its `commands` object is read from the source. */
function registeredCommands(cliSource: string): Map<string, string> {
  const block = /const commands\b[^{]*?=\s*\{\n([\s\S]*?)\n\};/.exec(cliSource)?.[1] ?? "";
  const moduleOf = new Map<string, string>();
  for (const [, names, path] of cliSource.matchAll(/import\s*\{([^}]*)\}\s*from\s*"\.\/(cli\/[\w-]+)\.js"/g))
    for (const name of names!.split(","))
      moduleOf.set(name.replace(/^\s*type\s+/, "").trim(), `src/${path}.ts`);
  const commands = new Map<string, string>();
  for (const [, quoted, bare, handler] of block.matchAll(
    /^\s*(?:"([a-z][a-z-]*)"|([a-z][a-z]*))\s*:\s*(\w+)/gm,
  ))
    commands.set((quoted ?? bare)!, moduleOf.get(handler!) ?? "");
  return commands;
}

/** Inline code spans and fenced code lines: the only places the guides show commands. */
function codeFragments(markdown: string): string[] {
  const fragments: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) fragments.push(line);
    else for (const [, span] of line.matchAll(/`([^`]+)`/g)) fragments.push(span!.replaceAll("\\|", "|"));
  }
  return fragments;
}

interface ShownCommand {
  file: string;
  command: string;
  /** The first word after the command when it is a bare word (a subcommand such as `seed`). */
  sub?: string;
  flags: string[];
  text: string;
}

/** Every `ccci <command> …` in code; the invocation ends at a shell comment, `&&`, `;` or `||`. */
function shownCommands(file: string, markdown: string): ShownCommand[] {
  const shown: ShownCommand[] = [];
  for (const fragment of codeFragments(markdown)) {
    for (const match of fragment.matchAll(/(?:^|[\s(`"$])ccci ([a-z][a-z-]*)((?:(?!\s#|&&|\|\||;).)*)/g)) {
      const rest = match[2] ?? "";
      const first = rest.trim().split(/\s+/)[0] ?? "";
      shown.push({
        file,
        command: match[1]!,
        ...(/^[a-z][a-z-]*$/.test(first) ? { sub: first } : {}),
        flags: [...rest.matchAll(/(?:^|[\s[])--([a-z][a-z-]*)/g)].map((m) => m[1]!),
        text: match[0].trim(),
      });
    }
  }
  return shown;
}

const commands = registeredCommands(read("src/cli.ts"));
const shown = guides.flatMap((file) => shownCommands(file, read(file)));

describe("the ccci commands in the guides", () => {
  it("finds the commands object of src/cli.ts and each command's module", () => {
    expect(
      commands.size,
      "no commands parsed from src/cli.ts: did its `commands` object move?",
    ).toBeGreaterThan(3);
    expect(commands.get("run")).toBe("src/cli/run-command.ts");
    const unresolved = [...commands].filter(([, module]) => module === "").map(([name]) => name);
    expect(unresolved, "commands whose handler is not imported from src/cli/*").toEqual([]);
  });

  it.each([...commands.keys()])("describes `ccci %s` in the operator guide or the runbook", (name) => {
    const text = `${read("docs/operator-guide.md")}\n${read("docs/runbook.md")}`;
    const described = shownCommandsOf(text).some((s) => s.command === name);
    expect(described, `add \`ccci ${name}\` (what it does, an example) to docs/operator-guide.md`).toBe(true);
  });

  it("shows only commands src/cli.ts registers", () => {
    const unknown = shown.filter((s) => s.command !== "help" && !commands.has(s.command));
    expect(unknown.map((s) => `${s.file}: ${s.text}`)).toEqual([]);
  });

  it("shows only subcommands and flags the command's module defines", () => {
    const wrong: string[] = [];
    for (const s of shown) {
      const module = commands.get(s.command);
      if (!module) continue;
      const source = read(module);
      if (s.sub && !source.includes(`"${s.sub}"`)) wrong.push(`${s.file}: ${s.text}: no subcommand ${s.sub}`);
      for (const flag of s.flags)
        if (!definesFlag(source, flag)) wrong.push(`${s.file}: ${s.text}: no option --${flag} in ${module}`);
    }
    expect(wrong).toEqual([]);
  });
});

/** A parseArgs option (`name: { type: … }`), or a flag the module compares literally (`"--help"`). */
function definesFlag(source: string, flag: string): boolean {
  const option = new RegExp(`["']?\\b${flag}\\b["']?\\s*:\\s*\\{\\s*type`);
  return option.test(source) || source.includes(`"--${flag}"`);
}

function shownCommandsOf(markdown: string): ShownCommand[] {
  return shownCommands("", markdown);
}

describe("the !testme forms in the maintainer guide", () => {
  const guide = read("docs/maintainer-guide.md");
  const spans = codeFragments(guide);

  it("reads the valid commands from src/commands/parse.ts", () => {
    expect(validCommands.length).toBeGreaterThan(0);
  });

  it.each(validCommands.map((c) => c.command))("documents `%s`, a form the parser runs", (form) => {
    expect(parse(form), `${form} is listed as valid but does not parse to a run`).toMatchObject({
      kind: "run",
    });
    expect(spans, `add \`${form}\` to docs/maintainer-guide.md`).toContain(form);
  });

  it("states, in the commands table, the mode each form really runs", () => {
    const rows = [...guide.matchAll(/^\| `(!testme[^`]*)` \| (cold|quick) \|/gm)];
    expect(rows.map((r) => r[1])).toEqual(validCommands.map((c) => c.command));
    for (const [, form, mode] of rows) expect(parse(form!), form).toEqual({ kind: "run", mode });
  });

  it("shows as help-only exactly forms the parser answers with help", () => {
    const row = guide.split("\n").find((line) => line.includes("one help reply")) ?? "";
    const forms = [...row.matchAll(/`(!testme[^`]*)`/g)].map((m) => m[1]!);
    expect(forms.length).toBeGreaterThan(0);
    for (const form of forms) expect(parse(form), form).toMatchObject({ kind: "help" });
  });
});

describe("the markdown readers of this test", () => {
  it.each([
    ["`ccci run ./x --ref main`", "run", undefined, ["ref"]],
    ["`npx ccci canonical seed hello`", "canonical", "seed", []],
    ["```\nnpx ccci disk --prune   # --json too\n```", "disk", undefined, ["prune"]],
    ["`ccci reap --dry-run && ccci reap`", "reap", undefined, ["dry-run"]],
  ])("reads %s as ccci %s", (markdown, command, sub, flags) => {
    const [first] = shownCommands("x.md", markdown);
    expect(first).toMatchObject({ command, flags });
    expect(first?.sub).toBe(sub);
  });

  it("ignores prose and paths that mention ccci", () => {
    const prose =
      "ccci deploys the app. `journalctl -u ccci -f`, `/var/cache/ccci/keycloak`, `ccci: cold run`";
    expect(shownCommands("x.md", prose)).toEqual([]);
  });

  it("reads the commands object and imports of a cli source", () => {
    const source = `import { aCommand } from "./cli/a-command.js";\nimport { bCommand, bUsage } from "./cli/b.js";\nconst commands: Record<string, X> = {\n  a: aCommand,\n  "b-c": bCommand,\n};\n`;
    expect([...registeredCommands(source)]).toEqual([
      ["a", "src/cli/a-command.ts"],
      ["b-c", "src/cli/b.ts"],
    ]);
  });
});
