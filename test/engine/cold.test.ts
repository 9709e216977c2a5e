import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCold } from "../../src/engine/cold.js";
import { CcciError } from "../../src/errors.js";
import { demoRecipe, writeRecipe } from "../support/recipe-dir.js";
import { type LifecycleFixture, lifecycleFixture } from "../support/run-context.js";
import type { Timeline } from "../support/stand-in.js";

/** A custom assert that marks the timeline when it runs, then passes or fails. */
const customAssert = (timeline: Timeline, name: string, exitCode: number) =>
  `#!/bin/sh\nprintf 'mark\\036custom ${name}\\036\\036\\036\\n' >> '${timeline.logPath}'\necho "checked $CCCI_APP_DOMAIN"\nexit ${exitCode}\n`;

/**
 * Cold teardown (since 748d223): the stack is removed at once (its data is thrown away), then the driver
 * destroys what it made, then a driver-independent sweep removes anything still named after the stack.
 */
const teardownCalls = ["docker stack rm", "mark deployer destroy", "docker stack rm"];

/** The timeline without the docker calls that only list or poll: the deployer's calls, asserts and removals. */
const milestones = (timeline: Timeline) =>
  timeline
    .lines()
    .filter((l) => l.startsWith("mark") || / rm | exec /.test(l) || l.includes("{{.Replicas}}"))
    .filter((l) => !/ rm --force \S+_ccci-assert-/.test(l))
    .map((l) => l.replace(/ \S+_ci_localhost$/, "").replace(/--filter \S+ /, ""));

function fixture(
  options: Omit<Parameters<typeof lifecycleFixture>[0], "recipeDir"> & {
    asserts?: Record<string, number>;
  } = {},
): LifecycleFixture {
  const files: Record<string, string> = { ...demoRecipe };
  // The recipe is written after the fixture exists, so its asserts can mark the fixture's timeline.
  const recipeDir = writeRecipe(files);
  const f = lifecycleFixture({ ...options, recipeDir });
  for (const [name, exitCode] of Object.entries(options.asserts ?? {})) {
    writeRecipe(
      { [`tests/ccci/${name}`]: customAssert(f.timeline, name, exitCode) },
      recipeDir.replace(/\/demo$/, ""),
    );
  }
  return f;
}

describe("runCold", () => {
  it("passes a healthy app: create → deploy → converge → asserts → remove stack → destroy → sweep", async () => {
    const { ctx, run, timeline } = fixture({ asserts: { "10-ok": 0 } });
    await runCold(ctx);
    expect(run.state).toBe("passed");
    expect(milestones(timeline)).toEqual([
      "mark deployer create",
      "mark deployer deploy",
      "docker service ls --format {{.Name}} {{.Replicas}}",
      `docker exec c0ffee wget -S -q -O /dev/null --header Host: ${run.domain} http://127.0.0.1:8080/`,
      "mark custom 10-ok",
      ...teardownCalls,
    ]);
    expect(run.asserts.map((a) => [a.name, a.passed])).toEqual([
      ["generic:converged", true],
      ["generic:healthy", true],
      ["generic:http", true],
      ["custom:10-ok", true],
    ]);
    expect(run.asserts.find((a) => a.name === "generic:http")?.detail).toMatch(/^HTTP 200 from app:8080/);
    expect(run.asserts.find((a) => a.name === "custom:10-ok")?.detail).toBe(`checked ${run.domain}`);
  });

  it("gives the run a unique cold domain and its stack, and removes the run dir at teardown", async () => {
    const { ctx, run } = fixture();
    await runCold(ctx);
    expect(run.domain).toMatch(/^demo-[0-9a-f]{6}\.ci\.localhost$/);
    expect(run.stack).toBe(run.domain!.replaceAll(".", "_"));
    expect(run.steps.at(-1)).toMatchObject({ name: "teardown", status: "passed" });
    expect(existsSync(ctx.runDir)).toBe(false);
    expect(await ctx.journal.entries()).toContainEqual(
      expect.objectContaining({ type: "run", stack: run.stack }),
    );
  });

  it("still tears down when the deploy throws, and errors with the message (secrets redacted)", async () => {
    const { ctx, run, timeline } = fixture({
      behaviour: {
        create: (_app, dctx) => dctx.redactor.add("generated-secret-value"),
        deploy: () => {
          throw new Error("stack deploy exploded near generated-secret-value");
        },
      },
    });
    await runCold(ctx);
    expect(run.state).toBe("errored");
    expect(run.reason).toBe("stack deploy exploded near [redacted]");
    expect(milestones(timeline)).toEqual(["mark deployer create", "mark deployer deploy", ...teardownCalls]);
  });

  it("is cancelled when the signal aborts during convergence, and still tears down", async () => {
    const f = fixture({ docker: { replicas: "0/1" } });
    const deploy = f.ctx.deployer.deploy;
    f.ctx.deployer.deploy = async (app, dctx) => {
      await deploy(app, dctx);
      setTimeout(() => f.abort.abort("cancelled by SIGTERM"), 300);
    };
    const started = Date.now();
    await runCold(f.ctx);
    expect(Date.now() - started).toBeLessThan(15_000); // not the 300 s timeout of the label
    expect(f.run).toMatchObject({
      state: "cancelled",
      errorCode: "CANCELLED",
      reason: "CANCELLED: cancelled by SIGTERM",
    });
    const lines = milestones(f.timeline);
    expect(lines.slice(0, 2)).toEqual(["mark deployer create", "mark deployer deploy"]);
    expect(lines.slice(-3)).toEqual(teardownCalls);
  });

  it("fails on a failing custom assert, naming it, after running the others", async () => {
    const { ctx, run, timeline } = fixture({ asserts: { "10-ok": 0, "20-fails": 3 } });
    await runCold(ctx);
    expect(run.state).toBe("failed");
    expect(run.reason).toContain("custom:20-fails");
    expect(run.reason).not.toContain("custom:10-ok");
    expect(run.asserts.find((a) => a.name === "custom:20-fails")).toMatchObject({
      passed: false,
      detail: `exit 3\nchecked ${run.domain}`,
    });
    expect(milestones(timeline).slice(-5)).toEqual([
      "mark custom 10-ok",
      "mark custom 20-fails",
      ...teardownCalls,
    ]);
  });

  it("fails an unhealthy app on the generic health assert and skips the custom asserts", async () => {
    const { ctx, run, timeline } = fixture({ docker: { health: "unhealthy" }, asserts: { "10-ok": 0 } });
    await runCold(ctx);
    expect(run.state).toBe("failed");
    expect(run.asserts.filter((a) => !a.passed).map((a) => a.name)).toEqual(["generic:healthy"]);
    expect(run.reason).toContain("generic:healthy");
    expect(timeline.lines()).not.toContain("mark custom 10-ok");
    expect(run.logExcerpt).toContain(`${run.stack}_app`);
  });

  it("fails with TIMEOUT when the app never converges within the run's timeout", async () => {
    const { ctx, run } = fixture({ docker: { replicas: "0/1" }, request: { timeoutSeconds: 1 } });
    await runCold(ctx);
    expect(run.state).toBe("failed");
    expect(run.errorCode).toBe("TIMEOUT");
    expect(run.asserts.find((a) => a.name === "generic:converged")).toMatchObject({ passed: false });
  });

  it("refuses an invalid recipe name as a user error before deploying anything", async () => {
    const { ctx, run, timeline } = fixture({ recipe: "../x" });
    await runCold(ctx);
    expect(run).toMatchObject({ state: "errored", userError: true, errorCode: "RECIPE_NAME_INVALID" });
    expect(timeline.lines().filter((l) => l.startsWith("mark deployer"))).toEqual([]);
  });

  it("reports a CcciError thrown by the deployer with its own code", async () => {
    const { ctx, run } = fixture({
      behaviour: {
        create: () => {
          throw new CcciError("DRIVER_UNAVAILABLE", "cannot run abra (abra): not found");
        },
      },
    });
    await runCold(ctx);
    expect(run).toMatchObject({ state: "errored", errorCode: "DRIVER_UNAVAILABLE", userError: false });
  });
});
