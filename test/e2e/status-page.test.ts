/// <reference lib="dom" />
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { Probot, Server } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerCli } from "../../src/deploy/docker.js";
import type { JournalEntry } from "../../src/engine/journal.js";
import { createCcciApp } from "../../src/index.js";
import { createDiskGuard } from "../../src/ops/disk-guard.js";
import { createStatusSources } from "../../src/ops/status/sources.js";
import type { StatusModel } from "../../src/ops/status/status-model.js";
import { judgeSweep, type SweptRecipe } from "../../src/ops/sweep-report.js";
import { writeLastSweep } from "../../src/ops/sweep-store.js";
import { CanonicalRegistry, defaultRegistryPath } from "../../src/warm/registry.js";
import { SnapshotLayout } from "../../src/warm/snapshot-layout.js";
import { writeManifest } from "../../src/warm/snapshot-manifest.js";
import { FakeEngine } from "../helpers/fake-engine.js";
import { testPrivateKey } from "../helpers/probot-harness.js";

/**
 * The status page as the bot serves it (Probot's Server, the app from createCcciApp, the real status
 * sources over a state dir written by the real writers), opened in real headless Chromium (Debian's
 * `chromium`, driven by playwright-core). The engine's live runs come from the in-memory FakeEngine:
 * queued and running runs on a real engine would need real deploys held open on the swarm.
 */
const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = join(process.cwd(), "test-results", "status-page.png");
const HOUR = 3_600_000;
const now = Date.now();
const ago = (ms: number) => new Date(now - ms).toISOString();

/** Journals of finished runs over the last three days, as the engine writes them (run … state). */
const finishedRuns: Array<{
  id: string;
  mode: "cold" | "quick";
  endedAgo: number;
  ms: number;
  state: string;
}> = [
  { id: "20260101-c1", mode: "cold", endedAgo: 70 * HOUR, ms: 185_000, state: "passed" },
  { id: "20260101-q1", mode: "quick", endedAgo: 60 * HOUR, ms: 32_000, state: "passed" },
  { id: "20260101-c2", mode: "cold", endedAgo: 48 * HOUR, ms: 240_000, state: "failed" },
  { id: "20260101-q2", mode: "quick", endedAgo: 36 * HOUR, ms: 41_000, state: "failed" },
  { id: "20260101-c3", mode: "cold", endedAgo: 24 * HOUR, ms: 170_000, state: "passed" },
  { id: "20260101-q3", mode: "quick", endedAgo: 12 * HOUR, ms: 28_000, state: "passed" },
  { id: "20260101-c4", mode: "cold", endedAgo: 2 * HOUR, ms: 205_000, state: "passed" },
];

function writeJournals(stateDir: string): void {
  mkdirSync(join(stateDir, "journal"), { recursive: true });
  for (const run of finishedRuns) {
    const entries: JournalEntry[] = [
      {
        at: ago(run.endedAgo + run.ms),
        type: "run",
        runId: run.id,
        recipe: "hello",
        mode: run.mode,
        stack: "x",
      },
      { at: ago(run.endedAgo + run.ms / 2), type: "resource", resource: { kind: "volume", name: "x_data" } },
      { at: ago(run.endedAgo), type: "state", state: run.state },
    ];
    writeFileSync(
      join(stateDir, "journal", `${run.id}.jsonl`),
      entries.map((e) => `${JSON.stringify(e)}\n`).join(""),
    );
  }
}

async function writeCanonicalAndSnapshot(stateDir: string): Promise<void> {
  const id = "20260101T090000000Z-a1b2c3";
  const layout = new SnapshotLayout(join(stateDir, "snapshots", "hello"));
  mkdirSync(layout.generation(id), { recursive: true });
  const volume = (name: string, bytes: number, files: number) => ({
    name,
    dockerName: `warm-hello_ci_localhost_${name}`,
    digest: "a".repeat(64),
    files,
    bytes,
    entries: [],
  });
  await writeManifest(layout.manifest(id), {
    format: 1,
    id,
    recipe: "hello",
    stack: "warm-hello_ci_localhost",
    createdAt: ago(5 * HOUR),
    meta: { commit: "0123456789abcdef0123456789abcdef01234567" },
    volumes: [volume("data", 12 * 1024 ** 2, 340), volume("config", 4096, 2)],
  });
  await layout.switchCurrent(id);
  const registry = new CanonicalRegistry(defaultRegistryPath(stateDir), "ci.localhost");
  await registry.promote("hello", {
    commit: "0123456789abcdef0123456789abcdef01234567",
    ref: "main",
    snapshotId: id,
    at: new Date(now - 5 * HOUR),
  });
  // A canonical whose snapshot was never taken: the page must say so, not fail.
  await registry.promote("keycloak", { commit: "fedcba9876543210", ref: "main", snapshotId: "none-yet" });
}

async function writeSweep(stateDir: string): Promise<void> {
  const swept = (
    recipe: string,
    state: SweptRecipe["state"],
    patch: Partial<SweptRecipe> = {},
  ): SweptRecipe => ({
    recipe,
    repo: `https://git.example.org/${recipe}.git`,
    ref: "main",
    runId: `sweep-run-${recipe}`,
    state,
    sha: "89abcdef0123456789abcdef0123456789abcdef",
    durationMs: 190_000,
    promotion: state === "passed" ? `promoted the canonical of ${recipe}` : null,
    ...patch,
  });
  const report = judgeSweep({
    id: "sweep-e2e",
    startedAt: ago(9 * HOUR),
    finishedAt: ago(8 * HOUR),
    durationMs: HOUR,
    enrolment: join(stateDir, "recipes.yml"),
    maxTests: 2,
    limit: 50,
    recipes: [swept("hello", "passed"), swept("<b>bold</b>", "failed", { reason: "generic:healthy failed" })],
    leftOut: [],
    notRun: [],
    canary: swept("canary", "failed", { promotion: null, reason: "generic:http answered 502" }),
    peakConcurrent: 2,
    closure: { checked: true, finishedRuns: 3, leaks: [] },
  });
  await writeLastSweep(stateDir, report);
}

function engineWithLiveRuns(): FakeEngine {
  const engine = new FakeEngine();
  const request = (mode: "cold" | "quick", pr: number) => ({
    repo: `coop-cloud/hello#${pr}`,
    source: { kind: "git" as const, url: "https://git.example.org/hello.git" },
    ref: `${pr}`.repeat(40).slice(0, 40),
    mode,
    recipe: "hello",
  });
  engine.start(engine.submit(request("quick", 7)).run.id);
  engine.submit(request("cold", 8));
  engine.submit(request("cold", 9));
  return engine;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The text as a reader sees it (layout applied, hidden text left out): the point of a browser test. */
function shownText(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what this test checks
  return locator.innerText();
}

let stateDir: string;
let profileDir: string;
let server: Server;
let base: string;
let context: BrowserContext;
let page: Page;
const requested: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  stateDir = mkdtempSync(join(tmpdir(), "ccci-status-e2e-"));
  profileDir = mkdtempSync(join(tmpdir(), "ccci-status-chromium-"));
  writeJournals(stateDir);
  await writeCanonicalAndSnapshot(stateDir);
  await writeSweep(stateDir);
  const log = pino({ level: "silent" });
  const engine = engineWithLiveRuns();
  const disk = createDiskGuard({
    docker: new DockerCli(),
    stateDir,
    soft: { kind: "percent", percent: 10 },
    hard: { kind: "percent", percent: 2 },
    log,
  });
  const registry = new CanonicalRegistry(defaultRegistryPath(stateDir), "ci.localhost");
  const app = createCcciApp({ engine, statusSources: createStatusSources({ stateDir, registry, disk }) });
  const port = await freePort();
  server = new Server({
    host: "127.0.0.1",
    port,
    log,
    Probot: Probot.defaults({ appId: 1, privateKey: testPrivateKey(), secret: "status-e2e", log }),
  });
  await server.load(app.appFn);
  await server.start();
  base = `http://127.0.0.1:${port}`;
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1180, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("request", (request) => requested.push(request.url()));
  page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
  await page.goto(`${base}/ccci`, { waitUntil: "load" });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  rmSync(profileDir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

describe("the status page in headless Chromium", () => {
  it("shows the running run and the queue in order", async () => {
    await expect(page.locator("#running tbody tr").count()).resolves.toBe(1);
    expect(await shownText(page.locator("#running tbody"))).toContain("coop-cloud/hello#7");
    const queue = await page.locator("#queued tbody tr").allInnerTexts();
    expect(queue).toHaveLength(2);
    expect(queue[0]).toMatch(/coop-cloud\/hello#8[\s\S]*queued #1/);
    expect(queue[1]).toMatch(/coop-cloud\/hello#9[\s\S]*queued #2/);
    expect(await page.locator("#queued").isVisible()).toBe(true);
  });

  it("shows each canonical's known-good commit and snapshot age and size", async () => {
    const hello = page.locator('#canonicals tr[data-recipe="hello"]');
    expect(await hello.isVisible()).toBe(true);
    const text = await shownText(hello);
    expect(text).toContain("0123456789ab");
    expect(text).toMatch(/5 h ago[\s\S]*12\.0 MB in 342 files \(2 volumes\)/);
    expect(await shownText(page.locator('#canonicals tr[data-recipe="keycloak"]'))).toContain("none");
  });

  it("plots the durations with a visible series of points for each mode", async () => {
    const plot = page.locator("#durations svg.plot");
    expect(await plot.isVisible()).toBe(true);
    const box = await plot.boundingBox();
    expect(box?.width).toBeGreaterThan(400);
    for (const mode of ["cold", "quick"] as const) {
      const points = page.locator(`svg.plot g.series[data-mode="${mode}"] circle.point`);
      const expected = finishedRuns.filter((r) => r.mode === mode).length;
      expect(await points.count()).toBe(expected);
      for (let i = 0; i < expected; i += 1) {
        const dot = await points.nth(i).boundingBox();
        expect(dot?.width).toBeGreaterThan(4);
        expect(dot!.x).toBeGreaterThanOrEqual(box!.x);
        expect(dot!.y + dot!.height).toBeLessThanOrEqual(box!.y + box!.height);
      }
    }
    // The slowest run (c2, 240 s) is drawn highest, above every quick run.
    const y = async (runId: string) => (await page.locator(`circle[data-run="${runId}"]`).boundingBox())!.y;
    expect(await y("20260101-c2")).toBeLessThan(await y("20260101-c1"));
    expect(await y("20260101-c1")).toBeLessThan(await y("20260101-q2"));
  });

  it("shows the last sweep, the disk, and escapes names from outside", async () => {
    const sweep = await shownText(page.locator("#sweep"));
    expect(sweep).toMatch(/Last sweep\s+red/);
    expect(sweep).toContain("<b>bold</b>: failed - generic:healthy failed");
    expect(await page.locator("#sweep b").count()).toBe(0);
    expect(await shownText(page.locator("#disk"))).toContain("state dir");
  });

  it("applies its own stylesheet (sans-serif text, styled badges)", async () => {
    // Expressions as strings: the tests compile without the DOM library.
    const style = {
      font: await page.evaluate<string>("getComputedStyle(document.body).fontFamily"),
      badge: await page.evaluate<string>(
        'getComputedStyle(document.querySelector(".badge.state-running")).backgroundColor',
      ),
    };
    expect(style.font).toContain("sans-serif");
    expect(style.badge).toBe("rgb(219, 234, 254)");
  });

  it("loads nothing but the page itself and logs no error (works offline, nothing blocked by CSP)", () => {
    expect(requested).toEqual([`${base}/ccci`]);
    expect(consoleErrors).toEqual([]);
  });

  it("serves the same data as JSON", async () => {
    const json = (await (
      await fetch(`${base}/ccci`, { headers: { accept: "application/json" } })
    ).json()) as StatusModel;
    expect(json.queued.map((r) => r.repo)).toEqual(["coop-cloud/hello#8", "coop-cloud/hello#9"]);
    expect(json.canonicals.map((c) => [c.recipe, c.snapshot?.files ?? null])).toEqual([
      ["hello", 342],
      ["keycloak", null],
    ]);
    expect(json.durations).toHaveLength(finishedRuns.length);
    expect(json.lastSweep?.status).toBe("red");
    expect(json.unavailable).toEqual({});
  });

  it("reads well: a full-page screenshot is saved for review", async () => {
    mkdirSync(join(process.cwd(), "test-results"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
  });
});
