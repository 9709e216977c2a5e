import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { cliPath, fixture, tempStateDir } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";

const moments = [
  { when: "as the deploy starts", trigger: /\.\.\. {2}install: deploy/ },
  { when: "while the stack is converging", trigger: /\.\.\. {2}install: converge/ },
];

describe("a cold run killed with SIGTERM", () => {
  it.each(moments)("still tears down everything when the signal arrives $when", async ({ trigger }) => {
    const child = execa("node", [cliPath, "run", fixture("hello")], {
      reject: false,
      env: { CCCI_STATE_DIR: tempStateDir(), LOG_LEVEL: "warn" },
    });
    let output = "";
    let stack: string | undefined;
    const signalled = new Promise<void>((resolve) => {
      // If the trigger never shows, the run's own end settles this and the assertions below say why.
      void child.then(() => resolve());
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        stack ??= /plan head \(.*\) - ([a-z0-9-]+)\.ci\.localhost/.exec(output)?.[1]?.concat("_ci_localhost");
        // The deploy step has started: the stack is being created right now.
        if (stack && trigger.test(output) && !child.killed) {
          child.kill("SIGTERM");
          resolve();
        }
      });
    });
    await signalled;
    const existedWhenKilled = await execa("docker", ["service", "ls", "-q", "--filter", `name=${stack}`]);
    const result = await child;
    if (trigger.source.includes("converge")) expect(String(existedWhenKilled.stdout).trim()).not.toBe("");
    expect(stack).toBeDefined();
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toContain("SIGTERM received");
    expect(String(result.stdout)).toMatch(/CANCELLED/);
    expect(String(result.stdout)).toMatch(/ok {3}teardown .* - clean/);
    expect(await leftovers(stack!)).toEqual([]);
  });
});
