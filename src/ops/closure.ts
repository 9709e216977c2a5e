import { lstat } from "node:fs/promises";
import { resolve, sep } from "node:path";
import type { DockerCli } from "../deploy/docker.js";
import { countResources, type StackResources } from "../deploy/stack-resources.js";
import { isWarmStack, stackName } from "../recipe/naming.js";
import { emptyResources, listSwarmInventory, ownerOf, type SwarmObject } from "./closure-inventory.js";
import { type JournalSummary, readJournals } from "./closure-journals.js";

/** What a finished run (or a stack no journal knows) left behind. */
export interface ClosureLeak {
  stack: string;
  /** The run whose journal names the stack; absent for an orphan. */
  runId?: string;
  resources: StackResources;
  /** Env files the run recorded that still exist (abra's `<domain>.env`). */
  files: string[];
}

export interface ClosureReport {
  at: string;
  /** Finished runs whose journals were checked. */
  finishedRuns: number;
  leaks: ClosureLeak[];
  /** Stacks shaped like a cold run's (`<4 chars>-<6hex>_<base>`) with no journal: a lost state dir. */
  orphans: ClosureLeak[];
}

export interface ClosureOptions {
  docker: DockerCli;
  stateDir: string;
  /** CCCI_DOMAIN; needed for the orphan search, which only runs when `orphans` is set. */
  baseDomain?: string;
  orphans?: boolean;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `<recipe[:4]>-<6hex>_<base with _>`, the stack of a cold run (see coldDomain in recipe/naming.ts). */
export function coldStackPattern(baseDomain: string): RegExp {
  return new RegExp(`^([a-z0-9-]{1,4}-[0-9a-f]{6}_${escapeRegExp(stackName(baseDomain))})(?:_|$)`);
}

function group(objects: SwarmObject[], ownerOfObject: (o: SwarmObject) => string | undefined) {
  const byStack = new Map<string, StackResources>();
  for (const object of objects) {
    const stack = ownerOfObject(object);
    if (!stack || isWarmStack(stack)) continue;
    const resources = byStack.get(stack) ?? emptyResources();
    resources[object.kind].push(object.name);
    byStack.set(stack, resources);
  }
  for (const resources of byStack.values()) for (const names of Object.values(resources)) names.sort();
  return byStack;
}

/** Env files of finished runs that are still on disk; only `*.env` paths, never a directory. */
async function leftoverFiles(journal: JournalSummary): Promise<string[]> {
  const files: string[] = [];
  for (const resource of journal.resources) {
    if (resource.kind !== "envfile" || !resource.name.endsWith(".env")) continue;
    const info = await lstat(resource.name).catch(() => undefined);
    if (info?.isFile()) files.push(resource.name);
  }
  return files;
}

/** A volume whose data lives under the snapshot store is a canonical's overlay view, whatever its name. */
async function dropSnapshotVolumes(docker: DockerCli, stateDir: string, leaks: ClosureLeak[]) {
  const snapshots = resolve(stateDir, "snapshots") + sep;
  for (const leak of leaks) {
    const kept: string[] = [];
    for (const volume of leak.resources.volumes) {
      const result = await docker.run(["volume", "inspect", "--format", "{{json .Options}}", volume]);
      const device = result.exitCode === 0 ? (JSON.parse(result.stdout || "null")?.device ?? "") : "";
      if (typeof device === "string" && device.length > 0 && resolve(device).startsWith(snapshots)) continue;
      kept.push(volume);
    }
    leak.resources.volumes = kept;
  }
}

/**
 * The closure check (D8): every Docker object that belongs to a finished run's stack — by the stack
 * label or by abra's `<stack>_*` naming — is a leak. Unfinished runs are left to the engine and crash
 * recovery; warm canonicals are excluded by design.
 */
export async function checkClosure(options: ClosureOptions): Promise<ClosureReport> {
  const journals = await readJournals(options.stateDir);
  const finished = journals.filter((j) => j.finished);
  const runOfStack = new Map<string, JournalSummary>();
  for (const journal of finished)
    for (const stack of journal.stacks) if (!isWarmStack(stack)) runOfStack.set(stack, journal);
  const inventory = await listSwarmInventory(options.docker);

  const finishedStacks = new Set(runOfStack.keys());
  const leaks: ClosureLeak[] = [];
  for (const [stack, resources] of group(inventory, (o) => ownerOf(o, finishedStacks))) {
    leaks.push({ stack, runId: runOfStack.get(stack)!.runId, resources, files: [] });
  }
  for (const journal of finished) {
    const stack = journal.stacks[0] ?? journal.runId;
    if (isWarmStack(stack)) continue; // a canonical's env file belongs to the canonical, by design
    const files = await leftoverFiles(journal);
    if (files.length === 0) continue;
    const leak = leaks.find((l) => l.runId === journal.runId);
    if (leak) leak.files.push(...files);
    else leaks.push({ stack, runId: journal.runId, resources: emptyResources(), files });
  }
  const orphans = options.orphans ? findOrphans(inventory, journals, options.baseDomain) : [];
  await dropSnapshotVolumes(options.docker, options.stateDir, [...leaks, ...orphans]);
  const real = (leak: ClosureLeak) => countResources(leak.resources) + leak.files.length > 0;
  return {
    at: new Date().toISOString(),
    finishedRuns: finished.length,
    leaks: leaks.filter(real).sort((a, b) => a.stack.localeCompare(b.stack)),
    orphans: orphans.filter(real).sort((a, b) => a.stack.localeCompare(b.stack)),
  };
}

function findOrphans(inventory: SwarmObject[], journals: JournalSummary[], baseDomain?: string) {
  if (!baseDomain) throw new Error("the orphan search needs the base domain (CCCI_DOMAIN)");
  const pattern = coldStackPattern(baseDomain);
  const known = new Set(journals.flatMap((j) => j.stacks));
  const candidate = (object: SwarmObject) => {
    const stack = pattern.exec(object.namespace ?? "")?.[1] ?? pattern.exec(object.name)?.[1];
    return stack && !known.has(stack) ? stack : undefined;
  };
  return [...group(inventory, candidate)].map(([stack, resources]) => ({ stack, resources, files: [] }));
}

export const closureLeakCount = (report: ClosureReport) => report.leaks.length + report.orphans.length;
