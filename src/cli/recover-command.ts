import { loadSettings } from "../config.js";
import { createEngine } from "../engine/engine.js";
import { createLogger } from "../log.js";
import { recoverInterrupted } from "../ops/sweep-interrupted.js";

/** `ccci recover`: tear down runs a crashed or killed ccci left behind (the bot does this at start-up). */
export async function recoverCommand(argv: string[]): Promise<number> {
  if (argv.length > 0) {
    console.log(
      "usage: ccci recover\n\nTears down every run whose journal has no final state, and marks it cancelled.",
    );
    return argv[0] === "--help" || argv[0] === "-h" ? 0 : 2;
  }
  const settings = loadSettings();
  const log = createLogger(process.env.LOG_LEVEL ?? "warn");
  const engine = createEngine({ settings, log });
  const recovered = await recoverInterrupted(engine, settings, log);
  for (const run of recovered) {
    console.log(
      `recovered ${run.runId} (${run.recipe}, ${run.mode}): ${run.leaks ? `LEFT: ${run.leaks}` : "torn down"}`,
    );
  }
  console.log(`${recovered.length} interrupted run(s) recovered`);
  return recovered.some((run) => run.leaks) ? 1 : 0;
}
