import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { type JournalEntry, RunJournal } from "../../../src/engine/journal.js";
import type { CheckRunRecord, StandInGitHub } from "../../helpers/stand-in-github.js";
import { waitFor } from "./bot.js";
import { type BotProcess, botWithStandIn } from "./bot-process.js";
import {
  type CanonicalFixture,
  canonicalSettings,
  commitCompose,
  deployedParts,
  expectLastKnownGood,
  registryText,
  removeCanonical,
  seededCanonical,
  storeOf,
} from "./canonical.js";
import { ccci, tempStateDir } from "./cli.js";

/** What a bot-level crash test of a canonical works with; the bot is built but not started. */
export interface CanonicalBot {
  canonical: CanonicalFixture;
  github: StandInGitHub;
  bot: BotProcess;
  /** The commit the scenario's change made (the pull request's head, or main's new head). */
  change: string;
  /** The last-known-good before anything happened, and the registry file then. */
  snapshotId: string;
  registryBefore: string;
}

/**
 * Registers the suite's hooks: a seeded canonical of `recipe` (`mib` MiB of data), `compose` committed on
 * `branch` (the stand-in pull request's head), a stand-in GitHub and a bot on the canonical's state dir.
 * Afterwards the bot is stopped, anything still interrupted recovered, and the canonical removed.
 */
export function canonicalBotSuite(
  recipe: string,
  mib: number,
  change: { branch: string; compose: string },
): () => CanonicalBot {
  let suite: CanonicalBot | undefined;
  beforeAll(async () => {
    const canonical = await seededCanonical(recipe, tempStateDir(`ccci-${recipe}-`), mib);
    const head = await commitCompose(canonical.repoDir, change.branch, change.compose);
    const { github, bot } = await botWithStandIn(
      { repoDir: canonical.repoDir, headSha: head },
      canonicalSettings(canonical),
    );
    const snapshotId = (await storeOf(canonical).current())!.id;
    suite = { canonical, github, bot, change: head, snapshotId, registryBefore: registryText(canonical) };
  }, 240_000);
  afterAll(async () => {
    await suite?.bot.stop();
    await suite?.github.stop();
    // A test that failed between the kill and the restart leaves its runs to `ccci recover`.
    if (suite) await ccci(["recover"], canonicalSettings(suite.canonical));
    await removeCanonical(suite?.canonical);
  }, 300_000);
  return () => suite as CanonicalBot;
}

/** `ccci closure --orphans --json` in the bot's state dir and domain: what finished runs left behind. */
async function closureLeaks(canonical: CanonicalFixture): Promise<unknown[]> {
  const result = await ccci(["closure", "--orphans", "--json"], canonicalSettings(canonical));
  const report = JSON.parse(result.stdout) as { leaks: unknown[]; orphans: unknown[]; finishedRuns: number };
  expect(report.finishedRuns).toBeGreaterThan(0);
  return [...report.leaks, ...report.orphans];
}

/** The journal of the one run whose entries satisfy `which`. */
export async function journalOfRun(
  canonical: CanonicalFixture,
  which: (entries: JournalEntry[]) => boolean,
): Promise<JournalEntry[]> {
  const dir = join(canonical.stateDir, "journal");
  const found: JournalEntry[][] = [];
  for (const file of readdirSync(dir)) {
    const entries = await new RunJournal(join(dir, file)).entries();
    if (which(entries)) found.push(entries);
  }
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** A run of the canonical in `--quick` mode (the pull request's). */
export const quickRun = (entries: JournalEntry[]) =>
  entries.some((e) => e.type === "run" && e.mode === "quick");

/**
 * After the restart: the canonical undeployed and equal to its last-known-good, the registry unchanged,
 * the closure check clean, the interrupted run's journal closed as cancelled and its run directory gone,
 * no private view left mounted in the state dir, GitHub called correctly.
 */
export async function expectRecovered(
  suite: CanonicalBot,
  run: (entries: JournalEntry[]) => boolean,
): Promise<JournalEntry[]> {
  const { canonical } = suite;
  expect(await deployedParts(canonical.stack)).toEqual([]);
  await expectLastKnownGood(canonical, suite.snapshotId);
  expect(registryText(canonical)).toBe(suite.registryBefore);
  expect(await closureLeaks(canonical)).toEqual([]);
  const journal = await journalOfRun(canonical, run);
  expect(journal.at(-1)).toMatchObject({ type: "state", state: "cancelled" });
  const header = journal.find((e) => e.type === "run");
  expect(existsSync(join(canonical.stateDir, "runs", header!.runId)), "the run directory").toBe(false);
  const mounts = readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1]);
  expect(mounts.filter((point) => point?.startsWith(canonical.stateDir))).toEqual([]);
  expect(suite.github.problems).toEqual([]);
  return journal;
}

/** The quick check run, completed by the restarted bot as cancelled, advisory, saying it restarted. */
export async function expectQuickCheckCancelled(check: CheckRunRecord): Promise<void> {
  await waitFor(
    "the interrupted check run completed",
    () => check.current.status === "completed" || undefined,
    60_000,
  );
  expect(check.current).toMatchObject({ name: "ccci / quick", conclusion: "cancelled" });
  expect(check.current.output).toMatchObject({
    title: expect.stringMatching(/interrupted \(advisory\)/),
    summary: expect.stringMatching(/ccci restarted/),
  });
}
