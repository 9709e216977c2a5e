import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { recipeNameOf, resolveSource } from "../../src/recipe/source.js";

const existing = mkdtempSync(join(tmpdir(), "ccci-source-"));
const aFile = join(existing, "compose.yml");
writeFileSync(aFile, "services: {}\n");

function refusal(arg: string): UserError {
  try {
    resolveSource(arg, existing);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error(`expected ${arg} to be refused`);
}

describe("resolveSource", () => {
  it.each([
    ["an existing directory", existing, { kind: "dir", path: existing }],
    ["a directory relative to the working directory", ".", { kind: "dir", path: existing }],
    ["a file:// URL of an existing path", `file://${existing}`, { kind: "git", url: `file://${existing}` }],
    [
      "an https URL",
      "https://git.coopcloud.tech/coop-cloud/custom-html.git",
      { kind: "git", url: "https://git.coopcloud.tech/coop-cloud/custom-html.git" },
    ],
    [
      "an ssh URL",
      "ssh://git@git.coopcloud.tech:2222/coop-cloud/hello.git",
      { kind: "git", url: "ssh://git@git.coopcloud.tech:2222/coop-cloud/hello.git" },
    ],
    [
      "an scp-like address",
      "git@git.coopcloud.tech:coop-cloud/hello.git",
      { kind: "git", url: "git@git.coopcloud.tech:coop-cloud/hello.git" },
    ],
  ])("takes %s", (_what, arg, expected) => {
    expect(resolveSource(arg, existing)).toEqual(expected);
  });

  it.each([
    ["a missing directory", join(existing, "missing"), "RECIPE_NOT_FOUND", /missing does not exist/],
    ["a file instead of a directory", aFile, "RECIPE_NOT_FOUND", /compose\.yml is not a directory/],
    [
      "a file:// URL of a missing path",
      `file://${existing}/missing.git`,
      "RECIPE_NOT_FOUND",
      /missing\.git does not exist/,
    ],
    [
      "an unsupported scheme",
      "ftp://example.org/recipe.git",
      "USAGE",
      /unsupported URL "ftp:\/\/example\.org\/recipe\.git"/,
    ],
    ["an empty argument", " ", "USAGE", /missing recipe/],
  ])("refuses %s", (_what, arg, code, message) => {
    const error = refusal(arg);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});

describe("recipeNameOf", () => {
  it.each([
    [
      "an https URL without .git",
      { kind: "git", url: "https://git.coopcloud.tech/coop-cloud/custom-html.git" },
      "custom-html",
    ],
    ["a URL with a trailing slash", { kind: "git", url: "https://example.org/coop-cloud/hello/" }, "hello"],
    ["an scp-like address", { kind: "git", url: "git@example.org:hello.git" }, "hello"],
    ["a directory by its base name", { kind: "dir", path: "/srv/recipes/nextcloud" }, "nextcloud"],
  ] as const)("takes the name of %s", (_what, source, name) => {
    expect(recipeNameOf(source)).toBe(name);
  });
});
