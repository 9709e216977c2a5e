import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/engine/journal.js";
import type { StatusModel } from "../../src/ops/status/status-model.js";
import { knownGoodCompose, storeOf } from "./support/canonical.js";
import {
  type CanonicalBot,
  canonicalBotSuite,
  expectRecovered,
  journalOfRun,
} from "./support/crash-suite.js";
import { killWhenAppears, killWhenLogged } from "./support/kill-on-file.js";

/**
 * (c) The bot writes a snapshot only when it promotes: its in-process sweep (CCCI_SWEEP_CRON, a seconds
 * field here) runs the enrolled default-branch head cold and, green, rebuilds the canonical: the volumes
 * are staged in a new generation of the store, the fresh deploy's first boot writes the data into it, and
 * after the undeploy the snapshot digests it, makes it durable, writes the manifest and switches `current`.
 * The bot is SIGKILLed (whole process group) at two moments of that write; started again (schedule off),
 * recovery must discard the half-written generation and leave the old last-known-good current, whole and
 * attached to the undeployed canonical, and report the sweep as broken.
 */
const sweeping = { CCCI_SWEEP_CRON: "*/3 * * * * *", LOG_LEVEL: "debug" };

/** A seeded canonical of `recipe` (`mib` MiB of data) whose default branch has a newer head to promote. */
const newerMainSuite = (recipe: string, mib: number) =>
  canonicalBotSuite(recipe, mib, { branch: "main", compose: knownGoodCompose(mib, "v2") });

/** The sweep's run of the recipe (the seed's run promoted too). */
const sweepPromotion = (recipe: string) => (entries: JournalEntry[]) =>
  entries.some((e) => e.type === "run" && e.recipe === recipe && e.origin?.sweep) &&
  entries.some((e) => e.type === "promotion");

/** Before the restart: the new generation has no manifest, `current` is the old one, the run unfinished. */
async function expectKilledMidWrite(suite: CanonicalBot): Promise<void> {
  const { bot, canonical, snapshotId } = suite;
  const store = storeOf(canonical);
  expect(await bot.exited()).toMatchObject({ signal: "SIGKILL" });
  const fresh = readdirSync(store.layout.generations).filter((id) => id !== snapshotId);
  expect(fresh).toHaveLength(1);
  expect(existsSync(store.layout.manifest(fresh[0]!)), "killed before the manifest").toBe(false);
  expect(readlinkSync(store.layout.current)).toBe(`generations/${snapshotId}`);
  const journal = await journalOfRun(canonical, sweepPromotion(canonical.recipe));
  expect(journal.some((e) => e.type === "state")).toBe(false);
}

/** After the restart: recovered, the sweep reported broken with its run cancelled, the canonical as before. */
async function expectSweepRecovered(suite: CanonicalBot): Promise<void> {
  const { bot, canonical, snapshotId } = suite;
  await bot.start();
  const journal = await expectRecovered(suite, sweepPromotion(canonical.recipe));
  const page = await fetch(bot.url("/ccci"), { headers: { accept: "application/json" } });
  const status = (await page.json()) as StatusModel;
  const runId = (journal[0] as Extract<JournalEntry, { type: "run" }>).runId;
  expect(status.lastSweep).toMatchObject({
    status: "broken",
    recipes: [{ recipe: canonical.recipe, runId, state: "cancelled" }],
  });
  expect(status.durations.find((d) => d.runId === runId)).toMatchObject({ state: "cancelled" });
  expect(status.canonicals).toMatchObject([
    { recipe: canonical.recipe, knownGood: { commit: canonical.knownGood }, snapshot: { id: snapshotId } },
  ]);
}

describe("a bot killed with SIGKILL while the fresh deploy writes the new snapshot's data, then restarted", () => {
  const DATA_MIB = 64;
  const suite = newerMainSuite("bcsnap", DATA_MIB);

  it("discards the half-written generation; the old snapshot stays current, whole and attached", async () => {
    const { bot, canonical, snapshotId } = suite();
    // generations/<new id>/volumes/<volume>/blob: the app's first boot is writing into the staged generation.
    const armed = killWhenAppears(
      bot,
      storeOf(canonical).layout.generations,
      (name, dir) => name !== snapshotId && existsSync(join(dir, name)),
      (name) => name === "volumes",
      () => true,
      (name) => name === "blob",
    );
    await bot.start(sweeping);
    await armed.killed;
    await expectKilledMidWrite(suite());
    await expectSweepRecovered(suite());
  });
});

describe("a bot killed with SIGKILL while the snapshot digests and commits the new generation, then restarted", () => {
  // Large enough that digest + syncfs + manifest take far longer than the kill needs to land.
  const DATA_MIB = 256;
  const suite = newerMainSuite("bccommit", DATA_MIB);

  it("discards the staged generation; the old snapshot stays current, whole and attached", async () => {
    const { bot } = suite();
    await bot.start(sweeping);
    // The store's first step of takeSnapshot: the app is undeployed, its data complete, nothing committed.
    const line = await killWhenLogged(bot, bot.log, /"step":"copying".*"msg":"snapshot store step"/).killed;
    expect(line).toContain(suite().canonical.recipe);
    await expectKilledMidWrite(suite());
    await expectSweepRecovered(suite());
  });
});
