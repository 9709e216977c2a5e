import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { sweepCommand } from "../../src/cli/sweep-command.js";
import { isUserError } from "../../src/errors.js";
import { readLastSweep } from "../../src/ops/sweep-store.js";

const stateDir = mkdtempSync(join(tmpdir(), "ccci-sweep-cli-"));
const env: NodeJS.ProcessEnv = { CCCI_STATE_DIR: stateDir, LOG_LEVEL: "silent" };
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

/** The error `ccci sweep` throws; the CLI turns a UserError into exit code 2. */
async function failure(argv: string[], given = env) {
  const error = await sweepCommand(argv, given).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isUserError(error), String(error)).toBe(true);
  return error as Error & { code: string };
}

describe("ccci sweep", () => {
  const usage: Array<[string, string[], RegExp]> = [
    ["a limit that is not a number", ["--limit", "many"], /--limit expects a whole number/],
    ["a limit of zero", ["--limit", "0"], /--limit expects a whole number/],
    ["an unknown flag", ["--fast"], /Unknown option '--fast'/],
    ["a stray argument", ["hello"], /unexpected argument "hello"/],
  ];
  for (const [name, argv, message] of usage) {
    it(`refuses ${name} as bad usage`, async () => {
      const error = await failure(argv);
      expect(error.code).toBe("USAGE");
      expect(error.message).toMatch(message);
    });
  }

  it("prints its usage with --help", async () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      expect(await sweepCommand(["--help"], env)).toBe(0);
      expect(String(spy.mock.calls[0]?.[0])).toMatch(/^usage: ccci sweep/);
    } finally {
      spy.mockRestore();
    }
  });

  it("fails loudly (exit 2) when nothing is enrolled, and records the sweep as BROKEN", async () => {
    const error = await failure([]);
    expect(error.code).toBe("ENROLMENT_INVALID");
    expect(error.message).toMatch(/nothing to sweep: there is no enrolment file/);
    expect((await readLastSweep(stateDir))?.status).toBe("broken");
  });

  it("fails loudly (exit 2) on an enrolment it cannot parse", async () => {
    writeFileSync(join(stateDir, "recipes.yml"), "recipes:\n  Bad Name:\n    repo: nowhere\n");
    const error = await failure([]);
    expect(error.code).toBe("ENROLMENT_INVALID");
    expect(error.message).toMatch(/recipes\.yml:2/);
  });
});
