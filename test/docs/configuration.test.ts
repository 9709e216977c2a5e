import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { settingsSchema } from "../../src/config.js";
import {
  describeSettings,
  GENERATED_END,
  GENERATED_START,
  generatedBlockOf,
  renderSettingsTable,
  replaceGeneratedBlock,
} from "../../src/ops/config-docs.js";

const docPath = new URL("../../docs/configuration.md", import.meta.url);
const doc = readFileSync(docPath, "utf8");
const regenerate = "run `npx ccci config docs --write docs/configuration.md` (after `npm run build`)";

/** Read from the live schema, so settings other engineers add are covered without touching this test. */
const schemaNames = Object.keys(settingsSchema.shape).filter((name) => name.startsWith("CCCI_"));
const docNames = new Set(doc.match(/CCCI_[A-Z0-9_]+/g) ?? []);

describe("docs/configuration.md", () => {
  it("documents every CCCI_* setting of the schema", () => {
    const missing = schemaNames.filter((name) => !docNames.has(name));
    expect(missing, `settings missing from docs/configuration.md: ${regenerate}`).toEqual([]);
  });

  it("mentions no CCCI_* variable that is not a setting", () => {
    const unknown = [...docNames].filter((name) => !schemaNames.includes(name));
    expect(unknown, "docs/configuration.md names variables that src/config.ts does not read").toEqual([]);
  });

  it("holds exactly the table the generator renders now", () => {
    const block = generatedBlockOf(doc);
    expect(block, `markers ${GENERATED_START} … ${GENERATED_END} are missing`).not.toBeNull();
    expect(block, `the generated settings table is stale: ${regenerate}`).toBe(renderSettingsTable());
  });

  it("describes every setting in the schema itself", () => {
    const undescribed = describeSettings().filter((s) => s.description.trim() === "");
    expect(
      undescribed.map((s) => s.name),
      "add .describe(…) to these settings",
    ).toEqual([]);
  });
});

describe("the settings table generator", () => {
  const sample = z.object({
    CCCI_MODE: z.enum(["a", "b"]).default("a").describe("Mode | with a pipe."),
    CCCI_COUNT: z.coerce.number().int().min(1).max(9).default(3).describe("How many."),
    CCCI_URL: z
      .url()
      .transform((u) => u.replace(/\/$/, ""))
      .optional()
      .describe("Where."),
    CCCI_DIR: z.string().default("/x").meta({ description: "Dir.", docDefault: "`<rule>`" }),
    CCCI_STATE_DIR: z.string().default("/somewhere/on/this/machine").describe("State."),
    CCCI_CACHE: z.string().default(join(homedir(), "cache")).describe("Cache."),
  });
  const stateDirRule = "`$XDG_STATE_HOME/ccci`, else `~/.local/state/ccci`";
  const rows = Object.fromEntries(describeSettings(sample).map((row) => [row.name, row]));

  it.each([
    ["an enum's default and choices", "CCCI_MODE", "`a`", "`a`, `b`", "Mode | with a pipe."],
    ["a coerced integer's range", "CCCI_COUNT", "`3`", "whole number 1–9", "How many."],
    ["an optional, transformed URL without default", "CCCI_URL", "—", "http(s) URL", "Where."],
    ["a default declared in .meta({ docDefault })", "CCCI_DIR", "`<rule>`", "text", "Dir."],
    [
      "the state dir's default by its rule, not this machine's path",
      "CCCI_STATE_DIR",
      stateDirRule,
      "text",
      "State.",
    ],
    ["a default under the home directory with ~", "CCCI_CACHE", "`~/cache`", "text", "Cache."],
  ])("reads %s", (_case, name, defaultText, accepts, description) => {
    expect(rows[name]).toEqual({ name, defaultText, accepts, description });
  });

  it("escapes pipes so a description cannot break the table", () => {
    expect(renderSettingsTable(sample)).toContain("Mode \\| with a pipe.");
  });

  it("replaces only the generated block of a document", () => {
    const before = `intro\n${GENERATED_START}\nold\n${GENERATED_END}\noutro\n`;
    const after = replaceGeneratedBlock(before, "| new |");
    expect(after).toBe(`intro\n${GENERATED_START}\n| new |\n${GENERATED_END}\noutro\n`);
    expect(generatedBlockOf(after)).toBe("| new |");
  });

  it("refuses a document without markers", () => {
    expect(generatedBlockOf("no markers")).toBeNull();
    expect(() => replaceGeneratedBlock("no markers", "t")).toThrow(/markers/);
  });
});
