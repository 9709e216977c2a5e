import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  loadEnrolment,
  parseEnrolment,
  recipeForRepository,
  warmEnrolment,
} from "../../src/warm/enrolment.js";

const good = `recipes:
  hello:
    repo: https://git.coopcloud.tech/coop-cloud/hello.git
    branch: main
  keycloak:
    repo: git@git.coopcloud.tech:coop-cloud/keycloak.git
    quick: false
repositories:
  hello-recipe: hello
`;

describe("parseEnrolment", () => {
  it("reads recipes with defaults and the repository map", () => {
    const enrolment = parseEnrolment(good, "recipes.yml");
    expect(enrolment.recipes.hello).toEqual({
      repo: "https://git.coopcloud.tech/coop-cloud/hello.git",
      branch: "main",
      quick: true,
    });
    expect(enrolment.recipes.keycloak?.branch).toBe("main");
    expect(recipeForRepository(enrolment, "hello-recipe")).toBe("hello");
    expect(recipeForRepository(enrolment, "Gitea")).toBe("gitea");
    expect(warmEnrolment(enrolment, "hello")).toBeDefined();
    expect(warmEnrolment(enrolment, "keycloak")).toBeUndefined();
    expect(warmEnrolment(enrolment, "gitea")).toBeUndefined();
  });

  it("treats an empty file as nothing enrolled", () => {
    expect(parseEnrolment("", "recipes.yml").recipes).toEqual({});
  });

  it.each([
    ["a YAML syntax error", "recipes:\n  hello:\n    repo: [unclosed\n", /recipes\.yml:4:1: /],
    ["a tab-indented YAML", "recipes:\n\thello: {}\n", /recipes\.yml:2:/],
    ["a duplicate key", "recipes:\n  hello:\n    repo: /x\n  hello:\n    repo: /y\n", /recipes\.yml:4:/],
    [
      "an invalid recipe name",
      "recipes:\n  ok:\n    repo: /a\n  Bad_Name:\n    repo: /x\n",
      /recipes\.yml:4: recipes\.Bad_Name/,
    ],
    ["a missing repo", "recipes:\n  hello:\n    branch: main\n", /recipes\.yml:2: recipes\.hello\.repo: /],
    [
      "a repo that is not a URL",
      "recipes:\n  hello:\n    repo: not a url\n",
      /recipes\.yml:3: recipes\.hello\.repo: expected a git URL/,
    ],
    [
      "a branch that looks like an option",
      "recipes:\n  hello:\n    repo: /r\n    branch: --force\n",
      /:4: recipes\.hello\.branch/,
    ],
    [
      "an unknown field (typo)",
      "recipes:\n  hello:\n    repo: /r\n    brnach: main\n",
      /recipes\.yml:4: recipes\.hello\.brnach: /,
    ],
    ["an unknown top-level key", "recipes: {}\nrecipies: {}\n", /recipes\.yml:2: recipies: /],
    [
      "a map to an unenrolled recipe",
      "recipes:\n  hello:\n    repo: /r\nrepositories:\n  x: nope\n",
      /recipes\.yml:5: repositories\.x: maps to "nope"/,
    ],
    [
      "a non-boolean quick",
      "recipes:\n  hello:\n    repo: /r\n    quick: sometimes\n",
      /:4: recipes\.hello\.quick/,
    ],
  ])("refuses %s, naming the line", (_name, text, expected) => {
    expect(() => parseEnrolment(text, "recipes.yml")).toThrowError(expected);
    try {
      parseEnrolment(text, "recipes.yml");
    } catch (error) {
      expect((error as { code?: string }).code).toBe("ENROLMENT_INVALID");
    }
  });
});

describe("loadEnrolment", () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("returns an empty enrolment when the file does not exist", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccci-enrol-"));
    dirs.push(dir);
    const enrolment = await loadEnrolment(join(dir, "recipes.yml"));
    expect(enrolment).toEqual({ recipes: {}, repositories: {}, source: null });
  });

  it("names the file in errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccci-enrol-"));
    dirs.push(dir);
    const path = join(dir, "recipes.yml");
    await writeFile(path, "recipes:\n  hello:\n    repo: 12\n");
    await expect(loadEnrolment(path)).rejects.toThrow(`${path}:3: recipes.hello.repo`);
  });
});
