import { rm } from "node:fs/promises";
import { basename, join } from "node:path";
import type { DockerCli } from "../deploy/docker.js";
import { countResources, describeResources } from "../deploy/stack-resources.js";
import { removeStack } from "../deploy/swarm-remove.js";
import type { Logger } from "../log.js";
import { type JournalEntry, type RunJournal, unfinishedJournals } from "./journal.js";

export interface RecoveredRun {
  runId: string;
  recipe: string;
  mode: string;
  stack?: string;
  /** What the trigger recorded (check run id, PR …): the reporter completes those as cancelled. */
  origin: Record<string, unknown>;
  /** Empty when everything of the run was removed. */
  leaks: string;
}

/** A run's own entries: its header, the origins recorded for it, and what it created. */
function summarise(entries: JournalEntry[]) {
  const header = entries.find((e): e is Extract<JournalEntry, { type: "run" }> => e.type === "run");
  const origin = Object.assign(
    {},
    header?.origin,
    ...entries.flatMap((e) => (e.type === "origin" ? [e.origin] : [])),
  );
  const resources = entries.flatMap((e) => (e.type === "resource" ? [e.resource] : []));
  return { header, origin: origin as Record<string, unknown>, resources };
}

async function recoverOne(
  journal: RunJournal,
  docker: DockerCli,
  stateDir: string,
  log: Logger,
): Promise<RecoveredRun | undefined> {
  const { header, origin, resources } = summarise(await journal.entries());
  if (!header) {
    await journal.append({ type: "state", state: "cancelled" });
    return undefined;
  }
  const stack = header.stack;
  let leaks = "";
  if (stack) {
    const left = await removeStack(docker, stack);
    if (countResources(left) > 0) leaks = describeResources(left);
  }
  for (const resource of resources) if (resource.kind === "envfile") await rm(resource.name, { force: true });
  await rm(join(stateDir, "runs", header.runId), { recursive: true, force: true });
  await journal.append({ type: "state", state: "cancelled" });
  log.warn(
    { runId: header.runId, stack, leaks },
    "recovered a run interrupted by a restart: torn down and marked cancelled",
  );
  return { runId: header.runId, recipe: header.recipe, mode: header.mode, stack, origin, leaks };
}

/**
 * Crash recovery at start-up: every run whose journal has no final state was interrupted (the process
 * died). Its stack and everything named after it is removed, its env file and run directory deleted,
 * and the journal closed as cancelled, so the reporter can complete its check run.
 */
export async function recoverInterruptedRuns(
  docker: DockerCli,
  stateDir: string,
  log: Logger,
  isLive: (runId: string) => boolean = () => false,
): Promise<RecoveredRun[]> {
  const recovered: RecoveredRun[] = [];
  for (const journal of await unfinishedJournals(stateDir)) {
    if (isLive(basename(journal.path, ".jsonl"))) continue;
    const run = await recoverOne(journal, docker, stateDir, log).catch((error) => {
      log.error({ err: error, journal: journal.path }, "recovery of an interrupted run failed");
      return undefined;
    });
    if (run) recovered.push(run);
  }
  return recovered;
}
