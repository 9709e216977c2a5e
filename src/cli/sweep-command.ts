import { parseArgs } from "node:util";
import { loadSettings } from "../config.js";
import { createEngine } from "../engine/engine.js";
import { UserError } from "../errors.js";
import { createLogger } from "../log.js";
import { runSweep } from "../ops/sweep.js";
import { renderSweepMarkdown } from "../ops/sweep-markdown.js";
import { sweepExitCode } from "../ops/sweep-report.js";
import { lastSweepPath } from "../ops/sweep-store.js";

export const sweepUsage = `usage: ccci sweep [--limit N] [--canary DIR|URL] [--json]

The nightly full-cold sweep: a cold run of every enrolled recipe (CCCI_RECIPES) at its default-branch
head, at most CCCI_MAX_TESTS at once and at most CCCI_SWEEP_MAX (or --limit) per sweep, promoting each
canonical on green; plus a canary recipe that must fail (CCCI_SWEEP_CANARY). Then the closure check.
The report is printed (markdown, or --json) and saved as <state dir>/sweeps/last.json.
Run it from a systemd timer only where the bot's own schedule is off (CCCI_SWEEP_CRON=off): two
processes do not share the MAX_TESTS bound.
Exit code 0 green, 1 red (a recipe failed, a promotion failed, a leak) or broken (the canary passed),
2 on bad usage or an empty or unreadable enrolment.`;

function parseSweepArgs(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        limit: { type: "string" },
        canary: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (positionals.length > 0) throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}`);
    return values;
  } catch (error) {
    throw new UserError("USAGE", `${(error as Error).message}\n${sweepUsage}`);
  }
}

function limitOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > 1000)
    throw new UserError(
      "USAGE",
      `--limit expects a whole number between 1 and 1000, got ${JSON.stringify(text)}`,
    );
  return limit;
}

/** `ccci sweep [--limit N] [--canary DIR|URL] [--json]`: one sweep in this process. */
export async function sweepCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const values = parseSweepArgs(argv);
  if (values.help) {
    console.log(sweepUsage);
    return 0;
  }
  const limit = limitOf(values.limit);
  const settings = loadSettings(env);
  const log = createLogger(env.LOG_LEVEL ?? "warn");
  const engine = createEngine({ settings, log });
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`ccci: ${signal} received: cancelling the sweep's runs and tearing down`);
    abort.abort(signal);
    void engine.shutdown();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const report = await runSweep({
      engine,
      settings,
      log,
      limit,
      canary: values.canary,
      signal: abort.signal,
    });
    console.log(values.json ? JSON.stringify(report, null, 2) : renderSweepMarkdown(report));
    if (!values.json) console.log(`report saved to ${lastSweepPath(settings.CCCI_STATE_DIR)}`);
    return sweepExitCode(report);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await engine.shutdown();
  }
}
