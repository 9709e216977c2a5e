import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RecipeSource } from "../../src/engine/run.js";
import { UserError } from "../../src/errors.js";
import { fetchRecipe } from "../../src/recipe/fetch.js";
import { createRecipeRepo, type RecipeRepo } from "../support/git-repo.js";

let repo: RecipeRepo;
beforeAll(async () => {
  repo = await createRecipeRepo();
});

const dest = () => join(mkdtempSync(join(tmpdir(), "ccci-fetch-")), "recipe");
const version = (dir: string) => readFileSync(join(dir, "VERSION"), "utf8").trim();

async function refusal(source: RecipeSource, ref: string | undefined): Promise<UserError> {
  const error = await fetchRecipe(source, ref, dest()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe.each([
  ["a file:// URL", () => ({ kind: "git", url: `file://${repo.dir}` }) as RecipeSource],
  ["a plain path to the repository", () => ({ kind: "dir", path: repo.dir }) as RecipeSource],
])("fetchRecipe from %s", (_what, source) => {
  it.each([
    ["the default branch head without a ref", undefined, "second", "second"],
    ["a tag", "v1", "first", "first"],
    ["a branch", "feature", "third", "third"],
    ["a full SHA that is no branch tip", "first", "first", "first"],
    ["a full SHA reachable only from refs/pull/*", "hidden", "hidden", "hidden"],
  ] as const)("checks out %s and pins its commit", async (_case, ref, commit, content) => {
    const resolvedRef = ref === "first" || ref === "hidden" ? repo[ref] : ref;
    const fetched = await fetchRecipe(source(), resolvedRef, dest());
    expect(fetched.sha).toBe(repo[commit]);
    expect(version(fetched.dir)).toBe(content);
  });

  it.each([
    ["an unknown branch", "no-such-branch"],
    ["an unknown full SHA", "0".repeat(40)],
  ])("refuses %s with REF_NOT_FOUND naming it", async (_case, ref) => {
    const error = await refusal(source(), ref);
    expect(error.code).toBe("REF_NOT_FOUND");
    expect(error.message).toContain(JSON.stringify(ref));
  });

  it.each([
    ["starting with -", "--upload-pack=touch /tmp/pwned"],
    ["with a space", "main extra"],
    ["with a colon", "main:evil"],
  ])("refuses a ref %s before running git with it", async (_case, ref) => {
    const error = await refusal(source(), ref);
    expect(error.code).toBe("REF_NOT_FOUND");
    expect(error.message).toMatch(/invalid git ref/);
  });
});

describe("fetchRecipe from a plain directory", () => {
  const plainDir = () => {
    const dir = join(mkdtempSync(join(tmpdir(), "ccci-plain-")), "demo");
    mkdirSync(join(dir, "tests", "ccci"), { recursive: true });
    writeFileSync(join(dir, "compose.yml"), "services: {}\n");
    writeFileSync(join(dir, "tests", "ccci", "10-check"), "#!/bin/sh\n");
    return dir;
  };

  it("copies it as it is, with no pinned commit", async () => {
    const fetched = await fetchRecipe({ kind: "dir", path: plainDir() }, undefined, dest());
    expect(fetched.sha).toBeNull();
    expect(readFileSync(join(fetched.dir, "compose.yml"), "utf8")).toBe("services: {}\n");
    expect(existsSync(join(fetched.dir, "tests", "ccci", "10-check"))).toBe(true);
  });

  it("copies a sub-directory of a git work tree without treating it as the repository", async () => {
    const sub = join(repo.dir, "sub");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "compose.yml"), "services: {}\n");
    const fetched = await fetchRecipe({ kind: "dir", path: sub }, undefined, dest());
    expect(fetched.sha).toBeNull();
    expect(existsSync(join(fetched.dir, "compose.yml"))).toBe(true);
  });

  it("refuses --ref with USAGE", async () => {
    const error = await refusal({ kind: "dir", path: plainDir() }, "main");
    expect(error.code).toBe("USAGE");
    expect(error.message).toMatch(/--ref needs a git repository/);
  });
});

describe("fetchRecipe from a URL that cannot be cloned", () => {
  it("refuses with RECIPE_NOT_FOUND naming the URL", async () => {
    const url = `file://${join(tmpdir(), "ccci-no-such-repo.git")}`;
    const error = await refusal({ kind: "git", url }, undefined);
    expect(error.code).toBe("RECIPE_NOT_FOUND");
    expect(error.message).toContain(url);
  });
});
