import { rm } from "node:fs/promises";
import { basename, join } from "node:path";
import type { DockerCli } from "../deploy/docker.js";
import {
  canonicalLeaks,
  countResources,
  describeResources,
  listStackResources,
} from "../deploy/stack-resources.js";
import { removeStack, undeployStack } from "../deploy/swarm-remove.js";
import type { Logger } from "../log.js";
import { type JournalEntry, type RunJournal, unfinishedJournals } from "./journal.js";

export interface RecoveredRun {
  runId: string;
  recipe: string;
  mode: string;
  stack?: string;
  /** What the trigger recorded (check run id, PR …): the reporter completes those as cancelled. */
  origin: Record<string, unknown>;
  /** Empty when everything of the run was removed (or, for a canonical, restored). */
  leaks: string;
}

/** Puts a canonical back to its last-known-good snapshot (the warm layer does it). */
export type RestoreCanonical = (recipe: string) => Promise<void>;

/** A run's own entries: its header, the origins recorded for it, and what it created. */
function summarise(entries: JournalEntry[]) {
  const header = entries.find((e): e is Extract<JournalEntry, { type: "run" }> => e.type === "run");
  const origins = entries.flatMap((e) => (e.type === "origin" ? [e.origin] : []));
  const origin = Object.assign({}, header?.origin, ...origins) as Record<string, unknown>;
  const resources = entries.flatMap((e) => (e.type === "resource" ? [e.resource] : []));
  const promotion = entries.find(
    (e): e is Extract<JournalEntry, { type: "promotion" }> => e.type === "promotion",
  );
  const promotionOpen =
    promotion && !entries.some((e) => e.type === "promotion-done") ? promotion : undefined;
  return { header, origin, resources, promotionOpen };
}

/** A warm stack is never removed: undeploy it (volumes and secrets stay) and restore its snapshot. */
async function recoverWarm(
  docker: DockerCli,
  stack: string,
  recipe: string,
  restore: RestoreCanonical,
): Promise<string> {
  await undeployStack(docker, stack);
  await restore(recipe);
  const left = await listStackResources(docker, stack);
  return canonicalLeaks(left);
}

async function removeCold(docker: DockerCli, stack: string): Promise<string> {
  const left = await removeStack(docker, stack);
  return countResources(left) > 0 ? describeResources(left) : "";
}

interface RecoveryDeps {
  docker: DockerCli;
  stateDir: string;
  log: Logger;
  restore: RestoreCanonical;
}

async function recoverOne(journal: RunJournal, deps: RecoveryDeps): Promise<RecoveredRun | undefined> {
  const { header, origin, resources, promotionOpen } = summarise(await journal.entries());
  if (!header) {
    await journal.append({ type: "state", state: "cancelled" });
    return undefined;
  }
  const { stack, recipe, mode } = header;
  const leaks: string[] = [];
  if (stack)
    leaks.push(
      mode === "quick"
        ? await recoverWarm(deps.docker, stack, recipe, deps.restore)
        : await removeCold(deps.docker, stack),
    );
  if (promotionOpen)
    leaks.push(await recoverWarm(deps.docker, promotionOpen.stack, promotionOpen.recipe, deps.restore));
  for (const resource of resources) if (resource.kind === "envfile") await rm(resource.name, { force: true });
  await rm(join(deps.stateDir, "runs", header.runId), { recursive: true, force: true });
  await journal.append({ type: "state", state: "cancelled" });
  const leaked = leaks.filter(Boolean).join("; ");
  deps.log.warn(
    { runId: header.runId, stack, leaks: leaked },
    "recovered a run interrupted by a restart: torn down and marked cancelled",
  );
  return { runId: header.runId, recipe, mode, stack, origin, leaks: leaked };
}

/**
 * Crash recovery at start-up: every run whose journal has no final state was interrupted (the process
 * died). A cold run's stack and everything named after it is removed; a quick run's or an interrupted
 * promotion's canonical is undeployed and put back to its last-known-good snapshot; env files and run
 * directories are deleted; the journal is closed as cancelled, so the reporter can complete its check run.
 */
export async function recoverInterruptedRuns(
  docker: DockerCli,
  stateDir: string,
  log: Logger,
  isLive: (runId: string) => boolean = () => false,
  restore: RestoreCanonical = async () => {},
): Promise<RecoveredRun[]> {
  const recovered: RecoveredRun[] = [];
  for (const journal of await unfinishedJournals(stateDir)) {
    if (isLive(basename(journal.path, ".jsonl"))) continue;
    const run = await recoverOne(journal, { docker, stateDir, log, restore }).catch((error) => {
      log.error({ err: error, journal: journal.path }, "recovery of an interrupted run failed");
      return undefined;
    });
    if (run) recovered.push(run);
  }
  return recovered;
}
