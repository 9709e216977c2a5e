// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose interpolation syntax, not templates
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editCompose, hostileCases, hostileRecipe } from "../support/hostile-recipes.js";
import { ccci, tempStateDir } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";

/** An enrolment granting the hello recipe the case's exceptions (the operator's file, not the recipe's). */
function enrolment(dir: string, allow: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), "ccci-enrol-")), "recipes.yml");
  writeFileSync(
    path,
    `recipes:\n  hello:\n    repo: ${dir}\n    quick: false\n    allow: ${JSON.stringify(allow)}\n`,
  );
  return path;
}

const created = (name: string) => /: (create|deploy|pull images)$/.test(name);

/**
 * Hostile recipes through the real CLI on the real swarm: each refused in the plan step with the reason
 * named (file, service, key), exit code 2, nothing created or deployed, nothing left behind.
 */
describe("hostile recipes are refused before anything is deployed", () => {
  it.each(hostileCases)("$name", async (hostile) => {
    const dir = hostileRecipe(hostile);
    const stateDir = tempStateDir();
    const env: Record<string, string> = { CCCI_STATE_DIR: stateDir };
    if (hostile.allow) env.CCCI_RECIPES = enrolment(dir, hostile.allow);
    const result = await ccci(["run", dir, "--json"], env);
    expect(result.exitCode, result.stderr).toBe(2);
    const run = result.run!;
    expect(run.errorCode).toBe(hostile.code);
    expect(run.userError).toBe(true);
    // The run's reason carries the code in front, as the CLI prints it.
    expect(run.reason?.startsWith(`${hostile.code}: `)).toBe(true);
    expect(run.reason?.slice(hostile.code.length + 2)).toMatch(hostile.message);
    expect(run.steps.find((s) => s.status === "failed")?.name).toMatch(/^plan /);
    expect(run.steps.filter((s) => created(s.name))).toEqual([]);
    if (hostile.absent) expect(result.stdout + result.stderr).not.toContain(hostile.absent);
    expect(await leftovers(run.stack!)).toEqual([]);
    expect(existsSync(join(stateDir, "runs", run.id))).toBe(false);
  });
});

describe("what the operator allows, and only that, runs", () => {
  it("a recipe with the Docker socket runs with the docker-socket exception, installs, and tears down", async () => {
    const dir = hostileRecipe({
      name: "socket allowed",
      mutate: (d) =>
        editCompose(d, (c) => c.services.app.volumes.push("/var/run/docker.sock:/var/run/docker.sock:ro")),
      code: "RECIPE_POLICY",
      message: /./,
    });
    const { exitCode, run } = await ccci(["run", dir, "--tiers", "install", "--json"], {
      CCCI_RECIPES: enrolment(dir, ["docker-socket"]),
    });
    expect(run?.state, run?.reason).toBe("passed");
    expect(exitCode).toBe(0);
    expect(await leftovers(run!.stack!)).toEqual([]);
  });
});

describe("ccci's own secrets never reach a container or the run's output", () => {
  const secret = "ccci-e2e-webhook-secret-3f9a1c";

  it("WEBHOOK_SECRET in ccci's environment is not interpolated into the app, and an assert printing it is redacted", async () => {
    const dir = hostileRecipe({
      name: "secret probe",
      mutate: (d) => {
        editCompose(d, (c) => {
          // If the deploy's environment carried ccci's secret, the app's healthcheck would fail.
          c.services.app.environment.push("LEAK=${WEBHOOK_SECRET:-}");
          c.services.app.healthcheck.test = [
            "CMD-SHELL",
            'test -z "$$LEAK" && wget -q -O /dev/null http://127.0.0.1:8080/',
          ];
        });
        writeFileSync(
          join(d, "tests/ccci/20-prints-a-secret"),
          `#!/bin/sh\necho "leaked: ${secret}"\nexit 1\n`,
          {
            mode: 0o755,
          },
        );
      },
      code: "RECIPE_POLICY",
      message: /./,
    });
    const result = await ccci(["run", dir, "--tiers", "install,custom", "--json"], {
      WEBHOOK_SECRET: secret,
    });
    const run = result.run!;
    expect(run.asserts.find((a) => a.name === "generic:healthy")?.passed, run.reason).toBe(true);
    const printed = run.asserts.find((a) => a.name === "custom:20-prints-a-secret");
    expect(printed?.passed).toBe(false);
    expect(printed?.detail).toContain("leaked: [redacted]");
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(await leftovers(run.stack!)).toEqual([]);
  });
});
