import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  customAssertEnvironment,
  listCustomAsserts,
  refuseAssert,
} from "../../../src/engine/asserts/custom.js";
import { keepWithinRunBudget } from "../../../src/engine/asserts/output-budget.js";
import { sandboxRunArgs } from "../../../src/engine/asserts/sandbox-args.js";
import type { AssertResult } from "../../../src/engine/run.js";

const spec = {
  name: "hell-1a2b3c_ci_localhost_ccci-assert-0a0b0c0d",
  runId: "20260101T000000-abcdef",
  stack: "hell-1a2b3c_ci_localhost",
  image: "ccci/assert:local",
  checkoutDir: "/state/runs/x/head",
  socketPath: "/tmp/ccci-exec-x/exec.sock",
  network: "container:0123456789ab",
  envFile: "/tmp/ccci-exec-x/env",
  memoryMb: 256,
  command: "/recipe/tests/ccci/10-ok",
};

describe("the sandbox's docker arguments", () => {
  const args = sandboxRunArgs(spec);
  const pairs = args.slice(0, -1).map((a, i) => `${a} ${args[i + 1]}`);
  it.each([
    "--user 10001:10001",
    "--cap-drop ALL",
    "--security-opt no-new-privileges",
    "--pull never",
    "--memory 256m",
    "--memory-swap 256m",
    "--pids-limit 256",
    "--log-driver none",
    "--network container:0123456789ab",
    "--volume /state/runs/x/head:/recipe:ro",
    "--volume /tmp/ccci-exec-x/exec.sock:/run/ccci/exec.sock",
    "--env-file /tmp/ccci-exec-x/env",
    "--label ccci.sandbox.stack=hell-1a2b3c_ci_localhost",
  ])("has %s", (pair) => expect(pairs).toContain(pair));

  it("has a read-only root, an init, and mounts nothing else of the host (no Docker socket)", () => {
    expect(args).toContain("--read-only");
    expect(args).toContain("--init");
    expect(args.filter((a) => a === "--volume" || a === "-v" || a === "--mount")).toHaveLength(2);
    expect(args.join(" ")).not.toMatch(/docker\.sock|--privileged|--cap-add|--network host|--pid[ =]|--ipc/);
    expect(args.slice(-2)).toEqual(["/recipe/tests/ccci/10-ok", "ccci/assert:local"]);
  });

  it("carries no value of the environment in its arguments", () => {
    expect(args.join(" ")).not.toMatch(/CCCI_|SECRET/);
  });
});

describe("the assert environment", () => {
  it("holds the run's names only, and the app URL on the app's own loopback when sharing its network", () => {
    const env = customAssertEnvironment({
      runId: "r",
      recipe: "hello",
      domain: "hell-1a2b3c.ci.localhost",
      stack: "hell-1a2b3c_ci_localhost",
      services: ["app", "db-main"],
      appService: "app",
      httpPort: 8080,
      sharesAppNetwork: true,
    });
    expect(env).toMatchObject({
      CCCI_RECIPE_DIR: "/recipe",
      CCCI_APP_URL: "http://127.0.0.1:8080/",
      CCCI_SERVICE_DB_MAIN: "hell-1a2b3c_ci_localhost_db-main",
      CCCI_EXEC_SOCKET: "/run/ccci/exec.sock",
    });
    expect(Object.keys(env).every((name) => name.startsWith("CCCI_"))).toBe(true);
    expect(env).not.toHaveProperty("CCCI_APP_CONTAINER");
  });
});

describe("asserts refused before any container starts", () => {
  const checkout = mkdtempSync(join(tmpdir(), "ccci-refuse-"));
  const dir = join(checkout, "tests/ccci");
  mkdirSync(join(dir, "after-install"), { recursive: true });
  writeFileSync(join(dir, "10-ok"), "#!/bin/sh\n");
  chmodSync(join(dir, "10-ok"), 0o755);
  writeFileSync(join(dir, "20-not-exec"), "#!/bin/sh\n");
  writeFileSync(join(dir, "30 spaced"), "#!/bin/sh\n");
  symlinkSync("/usr/bin/env", join(dir, "40-env"));
  symlinkSync("../../../../../../etc/shadow", join(dir, "41-escape"));
  symlinkSync("10-ok", join(dir, "42-inside"));
  writeFileSync(join(dir, "README.md"), "docs");

  it("lists files and symlinks, not docs or directories", async () => {
    expect(await listCustomAsserts(checkout)).toEqual([
      "10-ok",
      "20-not-exec",
      "30 spaced",
      "40-env",
      "41-escape",
      "42-inside",
    ]);
  });

  it.each([
    ["10-ok", undefined],
    ["42-inside", undefined],
    ["20-not-exec", /is not executable \(chmod \+x it\)/],
    ["30 spaced", /is not a usable assert name/],
    ["40-env", /is a symlink that leaves the checkout; ccci does not follow it/],
    ["41-escape", /is a symlink that leaves the checkout/],
  ])("%s", async (name, expected) => {
    const refusal = await refuseAssert(checkout, name);
    if (expected === undefined) expect(refusal).toBeUndefined();
    else expect(refusal).toMatch(expected);
  });
});

describe("the run's output budget (CCCI_RUN_OUTPUT_KIB)", () => {
  const assert = (detail: string): AssertResult => ({
    name: "custom:x",
    kind: "custom",
    passed: true,
    durationMs: 1,
    detail,
  });
  it("keeps a detail whole within the budget", () => {
    expect(keepWithinRunBudget([assert("a".repeat(100))], assert("tail"), 4096).detail).toBe("tail");
  });
  it("keeps the tail of a detail past it, says so, and the run's total stays within the cap", () => {
    const kept = [assert("a".repeat(3000))];
    const result = keepWithinRunBudget(kept, assert(`${"b".repeat(5000)}the end`), 4096);
    expect(result.detail).toMatch(
      /^\(the run's assert output is capped at 4 KiB: this detail keeps its tail\)\n/,
    );
    expect(result.detail.endsWith("the end")).toBe(true);
    expect(3000 + Buffer.byteLength(result.detail)).toBeLessThanOrEqual(4096);
  });
});
