import { cp, mkdtemp, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./support/cli.js";

/**
 * The README's `npx ccci …` must work however the checkout was built. tsc writes a new dist/cli.js with
 * mode 644; the build sets the run bit. Rebuilt from an empty dist/ in a copy of the project (so the
 * suites that use this checkout's dist/ are not disturbed while it happens).
 */
describe("the ccci bin after a rebuild from an empty dist/", () => {
  let copy: string;

  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), "ccci-rebuild-"));
    for (const entry of ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "src"])
      await cp(join(repoRoot, entry), join(copy, entry), { recursive: true });
    await symlink(join(repoRoot, "node_modules"), join(copy, "node_modules"));
    const build = await execa("npm", ["run", "build"], { cwd: copy, reject: false });
    expect(build.exitCode, build.stderr || build.stdout).toBe(0);
  }, 300_000);

  afterAll(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  it("dist/cli.js is executable", async () => {
    expect((await stat(join(copy, "dist/cli.js"))).mode & 0o111).toBe(0o111);
  });

  it("runs directly as ./dist/cli.js --help", async () => {
    const result = await execa("./dist/cli.js", ["--help"], { cwd: copy, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ccci run/);
  });

  it("runs through npx ccci --help", async () => {
    const result = await execa("npx", ["--no-install", "ccci", "--help"], { cwd: copy, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ccci run/);
  });
});
