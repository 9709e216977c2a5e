import { parseArgs } from "node:util";
import { loadSettings } from "../config.js";
import { createEngine } from "../engine/engine.js";
import type { Run } from "../engine/run.js";
import { parseTiers } from "../engine/tiers.js";
import { UserError } from "../errors.js";
import { createLogger } from "../log.js";
import { resolveSource } from "../recipe/source.js";
import { renderSummary, stepLine } from "./render.js";

export const runUsage = `usage: ccci run <recipe dir | git url> [--ref REF] [--driver swarm|abra] [--timeout SECONDS] [--tiers install,upgrade,custom] [--base-branch BRANCH] [--name RECIPE] [--quick] [--promote] [--json]

Runs a cold test on one fresh app at a unique domain: install (the previous release, or the head when there is
none) -> upgrade to the head -> backup/restore -> custom asserts, then teardown, always. --tiers limits the
tiers (install is always included; without upgrade, install deploys the head).
--quick runs against the recipe's warm canonical instead (advisory; falls back to cold without one).
--promote advances the canonical when the run passes and is the enrolled default-branch head or latest release.
Exit code 0 when it passes, 1 when it fails, 2 on bad usage.`;

function parseRunArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ref: { type: "string" },
        driver: { type: "string" },
        timeout: { type: "string" },
        name: { type: "string" },
        tiers: { type: "string" },
        "base-branch": { type: "string" },
        json: { type: "boolean", default: false },
        quick: { type: "boolean", default: false },
        promote: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UserError("USAGE", `${(error as Error).message}\n${runUsage}`);
  }
}

function timeoutOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 7200) {
    throw new UserError(
      "USAGE",
      `--timeout must be a whole number of seconds between 1 and 7200, got ${JSON.stringify(raw)}`,
    );
  }
  return seconds;
}

/** `ccci run`: one cold run in this process, progress on stdout, teardown even on SIGINT/SIGTERM. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseRunArgs(argv);
  if (values.help) {
    console.log(runUsage);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UserError("USAGE", `expected exactly one recipe directory or git URL\n${runUsage}`);
  const settings = loadSettings(process.env, values.driver ? { CCCI_DRIVER: values.driver } : {});
  const timeoutSeconds = timeoutOf(values.timeout);
  const tiers = parseTiers(values.tiers);
  const source = resolveSource(positionals[0]!);
  const engine = createEngine({ settings, log: createLogger(process.env.LOG_LEVEL ?? "warn") });
  const seen = new Map<string, string>();
  engine.onUpdate((run) => {
    if (values.json) return;
    for (const step of run.steps) {
      const key = `${step.name}@${step.startedAt ?? ""}`;
      if (seen.get(key) !== step.status) {
        seen.set(key, step.status);
        console.log(stepLine(step));
      }
    }
  });
  const handle = engine.submit({
    repo: positionals[0]!,
    source,
    ref: values.ref,
    recipe: values.name,
    mode: values.quick ? "quick" : "cold",
    requestedBy: "cli",
    promote: values.promote,
    timeoutSeconds,
    tiers,
    targetBranch: values["base-branch"],
  });
  if (!values.json)
    console.log(
      `ccci: ${handle.run.mode} run ${handle.run.id} of ${handle.run.recipe} (${settings.CCCI_DRIVER} driver)`,
    );
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`ccci: ${signal} received: cancelling the run and tearing down (this can take a minute)`);
    engine.cancel(handle.run.id, `cancelled by ${signal}`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const run: Run = await handle.done;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  console.log(values.json ? JSON.stringify(run, null, 2) : renderSummary(run));
  if (run.userError) return 2;
  return run.state === "passed" ? 0 : 1;
}
