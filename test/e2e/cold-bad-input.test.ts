import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ccci, fixture } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";

/** A git repository holding a copy of a fixture recipe, as a maintainer's recipe repo would. */
async function gitRecipe(name: string, mutate?: (dir: string) => void): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), "ccci-bad-")), name);
  cpSync(fixture("hello"), dir, { recursive: true });
  mutate?.(dir);
  const git = (...args: string[]) => execa("git", args, { cwd: dir });
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git("-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "recipe");
  return dir;
}

describe("bad input to ccci run: a clear error, exit code 2, nothing deployed", () => {
  const cases: { name: string; args: () => Promise<string[]>; message: RegExp }[] = [
    {
      name: "a recipe directory that does not exist",
      args: async () => ["/nonexistent/recipe"],
      message: /recipe directory \/nonexistent\/recipe does not exist/,
    },
    {
      name: "a file:// URL that does not exist",
      args: async () => ["file:///nonexistent/recipe.git"],
      message: /does not exist/,
    },
    {
      name: "an unknown ref",
      args: async () => [await gitRecipe("hello"), "--ref", "no-such-branch"],
      message: /git ref "no-such-branch" does not exist/,
    },
    {
      name: "a recipe name with a path in it",
      args: async () => [fixture("hello"), "--name", "../x"],
      message: /invalid recipe name "\.\.\/x"/,
    },
    {
      name: "a recipe name with a space",
      args: async () => [fixture("hello"), "--name", "my recipe"],
      message: /invalid recipe name "my recipe"/,
    },
    {
      name: "an uppercase recipe name",
      args: async () => [fixture("hello"), "--name", "Hello"],
      message: /invalid recipe name "Hello"/,
    },
    {
      name: "a recipe name over 63 characters",
      args: async () => [fixture("hello"), "--name", "a".repeat(64)],
      message: /invalid recipe name/,
    },
    {
      name: "a recipe directory named in uppercase",
      args: async () => [await gitRecipe("Hello_World")],
      message: /invalid recipe name "Hello_World"/,
    },
    {
      name: "a compose file that does not parse",
      args: async () => [
        await gitRecipe("broken", (dir) =>
          writeFileSync(join(dir, "compose.yml"), "services:\n  app:\n    image: [unclosed\n"),
        ),
      ],
      message: /compose\.yml does not parse \(line \d+/,
    },
    {
      name: "a bad --timeout",
      args: async () => [fixture("hello"), "--timeout", "soon"],
      message: /--timeout must be a whole number/,
    },
    {
      name: "an unknown driver",
      args: async () => [fixture("hello"), "--driver", "k8s"],
      message: /CCCI_DRIVER: expected 'swarm' or 'abra'/,
    },
  ];

  it.each(cases)("$name", async ({ args, message }) => {
    const result = await ccci(["run", ...(await args()), "--json"]);
    expect(result.exitCode).toBe(2);
    const said = result.run?.reason ?? result.stderr;
    expect(said).toMatch(message);
    if (result.run?.stack) expect(await leftovers(result.run.stack)).toEqual([]);
    expect(result.run?.steps.some((s) => s.name === "deploy") ?? false).toBe(false);
  });
});
