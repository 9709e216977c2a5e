import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { errorCodes } from "../../src/errors.js";
import { errorSections, fragmentsOf, thrownMessages } from "./error-messages.js";

const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
const srcDir = fileURLToPath(new URL("../../src", import.meta.url));
const sections = errorSections(doc);
/** Read from the live catalogue, so codes other engineers add are covered without touching this test. */
const codes = Object.keys(errorCodes);
/** Parsing all of src/ takes a second or two: once per file. */
const thrown = thrownMessages(srcDir);

/** Markdown wraps lines: compare with all whitespace runs collapsed. */
const squash = (text: string) => text.replace(/\s+/g, " ");

describe("docs/errors.md", () => {
  it("has a section for every code in src/errors.ts", () => {
    const missing = codes.filter((code) => !sections.has(code));
    expect(missing, "add a '## `CODE`' section to docs/errors.md for each").toEqual([]);
  });

  it("has no section for a code that no longer exists", () => {
    const stale = [...sections.keys()].filter((code) => !codes.includes(code));
    expect(stale, "docs/errors.md documents codes that src/errors.ts does not define").toEqual([]);
  });

  it("says what to do about every code", () => {
    const silent = [...sections].filter(([, text]) => !text.includes("**What to do:**")).map(([c]) => c);
    expect(silent).toEqual([]);
  });

  it("quotes the fixed words of every message thrown in src/ under its code's section", () => {
    expect(thrown.length, "the scan of src/ found no errors at all: is it broken?").toBeGreaterThan(30);
    const undocumented = thrown.flatMap((message) => {
      const section = squash(sections.get(message.code) ?? "");
      return message.fragments
        .filter((fragment) => !section.includes(squash(fragment)))
        .map(
          (fragment) => `${message.code} ${relative(srcDir, message.file)}:${message.line}: "${fragment}"`,
        );
    });
    expect(undocumented, "quote these messages in docs/errors.md (use … for the variable parts)").toEqual([]);
  });
});

describe("the message scan", () => {
  const messageOf = (code: string) => {
    const file = ts.createSourceFile("x.ts", `f(${code});`, ts.ScriptTarget.ES2022, true);
    const call = (file.statements[0] as ts.ExpressionStatement).expression as ts.CallExpression;
    return fragmentsOf(call.arguments[0]!);
  };

  it.each([
    ["a plain string", `"recipe directory is missing"`, ["recipe directory is missing"]],
    [
      "a template, split at each substitution",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text to scan, not a template
      "`recipe directory ${p} does not exist`",
      ["recipe directory", "does not exist"],
    ],
    [
      "a concatenation around a variable",
      `"cannot clone the repo: " + why + " (giving up now)"`,
      ["cannot clone the repo", "giving up now"],
    ],
    [
      "a message split over lines",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text to scan, not a template
      "`invalid configuration:\\n  ${lines}`",
      ["invalid configuration"],
    ],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text to scan, not a template
    ["short or one-word runs, which are skipped", "`volume ${v}: ${e}`", []],
  ])("reads %s", (_case, source, expected) => {
    expect(messageOf(source)).toEqual(expected);
  });

  it("finds codes given by a subclass's super call", () => {
    const keycloak = thrown.filter((m) => m.code === "KEYCLOAK_UNAVAILABLE");
    expect(keycloak.some((m) => m.fragments.some((f) => f.includes("is unreachable while")))).toBe(true);
  });
});
