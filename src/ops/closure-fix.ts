import { lstat, rm } from "node:fs/promises";
import type { DockerCli } from "../deploy/docker.js";
import { countResources, type StackResources } from "../deploy/stack-resources.js";
import { removeStack } from "../deploy/swarm-remove.js";
import { describeError } from "../errors.js";
import { isWarmStack } from "../recipe/naming.js";
import type { ClosureLeak, ClosureReport } from "./closure.js";
import { emptyResources, listSwarmInventory, ownerOf } from "./closure-inventory.js";

export interface ClosureFix {
  stack: string;
  runId?: string;
  /** What is still there after removal; empty when the leak is gone. */
  left: StackResources;
  filesLeft: string[];
  error?: string;
}

async function removeLeak(docker: DockerCli, leak: ClosureLeak, deadlineMs: number): Promise<string[]> {
  const errors: string[] = [];
  try {
    if (countResources(leak.resources) > 0) await removeStack(docker, leak.stack, deadlineMs);
    // removeStack finds networks by label or by docker's `name=` filter, which on Docker 20.10 only
    // matches a swarm-scoped network's exact name: remove what the check listed by name as well.
    for (const kind of ["volume", "secret", "config", "network"] as const)
      await docker.removeAll(kind, leak.resources[`${kind}s`]);
  } catch (error) {
    errors.push(describeError(error));
  }
  for (const file of leak.files) {
    await rm(file, { force: true }).catch((error: unknown) => errors.push(describeError(error)));
  }
  return errors;
}

/**
 * `ccci closure --fix`: removes each leaked stack the way cold teardown does (removeStack: services,
 * their containers, then volumes, secrets, configs, networks), one stack at a time, then lists the
 * swarm again: a fix counts only when nothing of the stack is left.
 */
export async function fixClosure(
  docker: DockerCli,
  report: ClosureReport,
  deadlineMs = 90_000,
): Promise<ClosureFix[]> {
  const leaks = [...report.leaks, ...report.orphans];
  const errors = new Map<string, string[]>();
  for (const leak of leaks) errors.set(leak.stack, await removeLeak(docker, leak, deadlineMs));
  const inventory = await listSwarmInventory(docker);
  const fixes: ClosureFix[] = [];
  for (const leak of leaks) {
    const left = emptyResources();
    const warm = isWarmStack(leak.stack);
    for (const object of inventory) {
      // A canonical keeps its volumes and secrets by design: only the rest of it can be a leak.
      if (warm && (object.kind === "volumes" || object.kind === "secrets")) continue;
      if (ownerOf(object, new Set([leak.stack])) === leak.stack) left[object.kind].push(object.name);
    }
    const filesLeft: string[] = [];
    for (const file of leak.files) if (await lstat(file).catch(() => undefined)) filesLeft.push(file);
    const error = errors.get(leak.stack)?.join("; ") || undefined;
    fixes.push({ stack: leak.stack, runId: leak.runId, left, filesLeft, ...(error ? { error } : {}) });
  }
  return fixes;
}

export const isFixed = (fix: ClosureFix) => countResources(fix.left) === 0 && fix.filesLeft.length === 0;
