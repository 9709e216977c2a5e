import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { cliPath, fixture, tempStateDir } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";

describe("crash recovery of cold runs", () => {
  it("tears down a run whose process was SIGKILLed mid-deploy when ccci recover runs", async () => {
    const stateDir = tempStateDir();
    const env = { CCCI_STATE_DIR: stateDir, LOG_LEVEL: "warn" };
    const child = execa("node", [cliPath, "run", fixture("hello")], { reject: false, env });
    let output = "";
    await new Promise<void>((resolve) => {
      // If the trigger never shows, the run's own end settles this and the assertions below say why.
      void child.then(() => resolve());
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (/\.\.\. {2}install: converge/.test(output) && !child.killed) {
          child.kill("SIGKILL"); // no handler runs: nothing is torn down by the dying process
          resolve();
        }
      });
    });
    await child;
    const stack = `${/plan head \(.*\) - ([a-z0-9-]+)\.ci\.localhost/.exec(output)![1]}_ci_localhost`;
    expect(await leftovers(stack)).not.toEqual([]); // the crash really left the app behind

    const recover = await execa("node", [cliPath, "recover"], { reject: false, env });
    expect(recover.stdout).toContain("1 interrupted run(s) recovered");
    expect(recover.exitCode).toBe(0);
    expect(await leftovers(stack)).toEqual([]);
    const journal = readdirSync(join(stateDir, "journal"))[0]!;
    expect(readFileSync(join(stateDir, "journal", journal), "utf8")).toContain('"state":"cancelled"');
    expect(readdirSync(join(stateDir, "runs"))).toEqual([]);

    const again = await execa("node", [cliPath, "recover"], { reject: false, env });
    expect(again.stdout).toContain("0 interrupted run(s) recovered");
  });
});
