import { parseArgs } from "node:util";
import { loadSettings } from "../config.js";
import { DockerCli } from "../deploy/docker.js";
import { describeResources } from "../deploy/stack-resources.js";
import { UserError } from "../errors.js";
import { type ClosureLeak, type ClosureReport, checkClosure, closureLeakCount } from "../ops/closure.js";
import { type ClosureFix, fixClosure, isFixed } from "../ops/closure-fix.js";

export const closureUsage = `usage: ccci closure [--fix] [--orphans] [--json]

Lists every Docker resource (stack, service, container, volume, secret, config, network) and env file left
by a finished run, from the run journals in the state dir. Warm canonicals (warm-*) are never listed.
--orphans also lists stacks shaped like a cold run's (<4 chars>-<6hex>_<CCCI_DOMAIN>) that no journal
knows (a lost state dir; on a host shared by several ccci instances these may be another's live runs).
--fix removes what was found. Exit code 0 when nothing is left, 1 when leaks remain, 2 on bad usage.`;

function parseClosureArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        fix: { type: "boolean", default: false },
        orphans: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    throw new UserError("USAGE", `${(error as Error).message}\n${closureUsage}`);
  }
}

function leakLine(label: string, leak: ClosureLeak): string {
  const owner = leak.runId ? `run ${leak.runId}` : "no journal";
  const parts = [
    describeResources(leak.resources),
    leak.files.length ? `files: ${leak.files.join(", ")}` : "",
  ];
  return `${label} ${leak.stack} (${owner}): ${parts.filter(Boolean).join("; ")}`;
}

export function renderClosure(report: ClosureReport, fixes?: ClosureFix[]): string {
  const lines = [
    ...report.leaks.map((leak) => leakLine("LEAK  ", leak)),
    ...report.orphans.map((leak) => leakLine("ORPHAN", leak)),
  ];
  for (const fix of fixes ?? []) {
    const left = [
      describeResources(fix.left),
      fix.filesLeft.length ? `files: ${fix.filesLeft.join(", ")}` : "",
    ];
    const why = fix.error ? ` (${fix.error})` : "";
    lines.push(
      isFixed(fix)
        ? `removed ${fix.stack}`
        : `LEFT    ${fix.stack}: ${left.filter(Boolean).join("; ")}${why}`,
    );
  }
  if (closureLeakCount(report) === 0)
    lines.push(`clean: nothing left by ${report.finishedRuns} finished runs`);
  return lines.join("\n");
}

/** `ccci closure [--fix] [--orphans] [--json]`. */
export async function closureCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const values = parseClosureArgs(argv);
  if (values.help) {
    console.log(closureUsage);
    return 0;
  }
  const settings = loadSettings(env);
  const docker = new DockerCli(settings.CCCI_DOCKER_BIN, settings.CCCI_DOCKER_TIMEOUT * 1000);
  const report = await checkClosure({
    docker,
    stateDir: settings.CCCI_STATE_DIR,
    baseDomain: settings.CCCI_DOMAIN,
    orphans: values.orphans,
  });
  const fixes = values.fix ? await fixClosure(docker, report) : undefined;
  if (values.json) console.log(JSON.stringify({ ...report, fixes }, null, 2));
  else console.log(renderClosure(report, fixes));
  if (fixes) return fixes.every(isFixed) ? 0 : 1;
  return closureLeakCount(report) === 0 ? 0 : 1;
}
