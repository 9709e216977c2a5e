import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DiskReport } from "../../src/ops/disk-guard.js";
import type { DurationPoint } from "../../src/ops/status/duration-history.js";
import { renderDurationPlot } from "../../src/ops/status/duration-plot.js";
import { renderStatusHtml } from "../../src/ops/status/render-page.js";
import {
  type CanonicalRow,
  collectStatus,
  type StatusModel,
  type StatusSources,
} from "../../src/ops/status/status-model.js";
import { statusPageHandler } from "../../src/ops/status-page.js";
import type { SweepReport, SweptRecipe } from "../../src/ops/sweep-report.js";
import { FakeEngine } from "../helpers/fake-engine.js";

const GB = 1024 ** 3;
const NOW = Date.parse("2026-01-02T12:00:00.000Z");

const canonical = (recipe: string, patch: Partial<CanonicalRow> = {}): CanonicalRow => ({
  recipe,
  domain: `warm-${recipe}.ci.localhost`,
  knownGood: { commit: "0123456789abcdef0123456789abcdef01234567", version: null, ref: "main" },
  seededAt: "2026-01-01T09:00:00.000Z",
  promotedAt: "2026-01-02T09:00:00.000Z",
  snapshot: {
    id: "20260102T090000000Z-abcdef",
    createdAt: "2026-01-02T09:00:00.000Z",
    bytes: 5 * 1024 ** 2,
    files: 42,
    volumes: 2,
  },
  ...patch,
});

const disk: DiskReport = {
  at: "2026-01-02T12:00:00.000Z",
  disks: [
    {
      roles: ["docker data root", "state dir"],
      path: "/var/lib/docker",
      freeBytes: 8 * GB,
      totalBytes: 100 * GB,
      softBytes: 15 * GB,
      hardBytes: 5 * GB,
      level: "soft",
    },
  ],
  pruned: [],
  errors: [],
};

const swept = (recipe: string, patch: Partial<SweptRecipe> = {}): SweptRecipe => ({
  recipe,
  repo: `https://git.example.org/${recipe}.git`,
  runId: `run-${recipe}`,
  state: "passed",
  sha: "abcdef0123456789abcdef0123456789abcdef01",
  durationMs: 90_000,
  promotion: `promoted the canonical of ${recipe}`,
  ...patch,
});

const sweep: SweepReport = {
  id: "sweep-1",
  startedAt: "2026-01-02T03:00:00.000Z",
  finishedAt: "2026-01-02T03:10:00.000Z",
  durationMs: 600_000,
  status: "red",
  problems: ["beta: failed - generic:healthy failed"],
  enrolment: "/state/recipes.yml",
  maxTests: 2,
  limit: 50,
  recipes: [
    swept("alpha"),
    swept("beta", { state: "failed", reason: "generic:healthy failed", promotion: null }),
  ],
  leftOut: [],
  notRun: [],
  canary: swept("canary", { state: "failed", promotion: null }),
  peakConcurrent: 2,
  closure: { checked: true, finishedRuns: 3, leaks: [] },
};

const point = (
  runId: string,
  mode: "cold" | "quick",
  minutesAfter: number,
  durationMs: number,
  state = "passed",
): DurationPoint => ({
  runId,
  recipe: "hello",
  mode,
  state,
  finishedAt: new Date(Date.parse("2026-01-01T00:00:00.000Z") + minutesAfter * 60_000).toISOString(),
  durationMs,
});

const durations = [
  point("j1", "cold", 0, 120_000),
  point("j2", "quick", 30, 20_000),
  point("j3", "cold", 60, 150_000, "failed"),
  point("j4", "quick", 90, 25_000),
];

function sources(patch: Partial<StatusSources> = {}): StatusSources {
  return {
    canonicals: async () => [canonical("hello"), canonical("keycloak", { snapshot: null })],
    disk: async () => disk,
    lastSweep: async () => sweep,
    durations: async () => durations,
    ...patch,
  };
}

function engineWithRuns(): FakeEngine {
  const engine = new FakeEngine();
  const request = (mode: "cold" | "quick", repo: string) => ({
    repo,
    source: { kind: "git" as const, url: "file:///x" },
    ref: "d".repeat(40),
    mode,
    recipe: "hello",
  });
  const done = engine.submit(request("cold", "o/hello#1")).run;
  engine.finish(done.id, "failed", { durationMs: 61_000, reason: "generic:http answered 502" });
  engine.start(engine.submit(request("quick", "o/hello#2")).run.id);
  engine.submit(request("cold", "o/hello#3"));
  engine.submit(request("quick", "o/hello#4"));
  return engine;
}

describe("status model", () => {
  it("lists the queue in queue order, the running runs and the recent ones", async () => {
    const model = await collectStatus(engineWithRuns(), sources());
    expect(model.queued.map((r) => [r.repo, r.queuePosition])).toEqual([
      ["o/hello#3", 1],
      ["o/hello#4", 2],
    ]);
    expect(model.running.map((r) => r.repo)).toEqual(["o/hello#2"]);
    expect(model.recent).toMatchObject([
      { repo: "o/hello#1", state: "failed", reason: "generic:http answered 502" },
    ]);
  });

  it("adds this process's finished runs to the journal's durations", async () => {
    const model = await collectStatus(engineWithRuns(), sources());
    expect(model.durations.map((p) => p.runId)).toEqual(["j1", "j2", "j3", "j4", "run-1"]);
  });

  it.each(["canonicals", "disk", "lastSweep", "durations"] as const)(
    "keeps the page when the %s source fails, saying why",
    async (name) => {
      const failing = sources({
        [name]: async () => Promise.reject(new Error(`${name} broke at https://u:tok@h`)),
      });
      const model = await collectStatus(engineWithRuns(), failing);
      expect(model.unavailable).toEqual({ [name]: `${name} broke at https://[redacted]@h` });
      expect(model.running).toHaveLength(1);
      expect(renderStatusHtml(model)).toContain(`Unavailable: ${name} broke`);
    },
  );

  it("scrubs credentials from repositories, reasons and the sweep", async () => {
    const engine = new FakeEngine();
    const run = engine.submit({
      repo: "https://bot:ghp_abcdefghijklmnopqrstuvwxyz@git.example/r.git",
      source: { kind: "git", url: "x" },
      mode: "cold",
    }).run;
    engine.finish(run.id, "errored", { reason: "clone of https://bot:hunter22@git.example/r.git failed" });
    const leaky = {
      ...sweep,
      recipes: [swept("alpha", { repo: "https://bot:hunter22@git.example/alpha.git" })],
    };
    const model = await collectStatus(engine, sources({ lastSweep: async () => leaky }));
    for (const text of [JSON.stringify(model), renderStatusHtml(model)]) {
      expect(text).not.toMatch(/hunter22|ghp_/);
      expect(text).toContain("https://[redacted]@git.example/r.git");
    }
  });
});

describe("status page HTML", () => {
  it("shows the queue, canonicals, last sweep, disk and the duration plot", async () => {
    const html = renderStatusHtml(await collectStatus(engineWithRuns(), sources()), NOW);
    expect(html).toMatch(/<section id="queued"><h2>Queue <span class="count">2<\/span>/);
    expect(html).toContain("queued #2");
    expect(html).toContain('<code title="0123456789abcdef0123456789abcdef01234567">0123456789ab</code>');
    expect(html).toContain("3 h ago</span>, 5.0 MB in 42 files (2 volumes)");
    expect(html).toMatch(/<tr data-recipe="keycloak">.*none/);
    expect(html).toContain('<span class="badge sweep-red">red</span>');
    expect(html).toContain("beta: failed - generic:healthy failed");
    expect(html).toContain("canary: must fail");
    expect(html).toContain("8.0 GB free of 100.0 GB");
    expect(html).toContain('<span class="badge level-soft">soft</span>');
    expect(html).toMatch(/<svg class="plot"/);
    expect(html).not.toMatch(/<script|<link|src="http/);
  });

  it("embeds its stylesheet unescaped (quoted font names must reach the browser as quotes)", async () => {
    const html = renderStatusHtml(await collectStatus(new FakeEngine()));
    expect(html).toMatch(/<style>[^<]*"Segoe UI"[^<]*<\/style>/);
  });

  it("says so when no sweep has run yet", async () => {
    const html = renderStatusHtml(
      await collectStatus(new FakeEngine(), sources({ lastSweep: async () => null })),
    );
    expect(html).toContain("No sweep yet.");
  });

  it("lists runs only when no sources are given (the app without an engine's state)", async () => {
    const html = renderStatusHtml(await collectStatus(engineWithRuns()));
    expect(html).toContain("No canonicals yet");
    expect(html).toContain("No sweep yet.");
    expect(html).toContain("o/hello#3");
  });

  const hostile = '<img src=x onerror="alert(1)">&\'';
  it.each<[string, (s: string) => Partial<StatusSources>]>([
    [
      "a canonical's ref and domain",
      (s) => ({
        canonicals: async () => [
          canonical("hello", { domain: s, knownGood: { commit: "0123abc", version: s, ref: s } }),
        ],
      }),
    ],
    [
      "a damaged snapshot's message",
      (s) => ({ canonicals: async () => [canonical("hello", { snapshot: null, snapshotError: s })] }),
    ],
    [
      "a sweep problem and reason",
      (s) => ({
        lastSweep: async () => ({
          ...sweep,
          problems: [s],
          recipes: [swept(s, { reason: s, promotion: s })],
        }),
      }),
    ],
    [
      "a disk path and error",
      (s) => ({ disk: async () => ({ ...disk, disks: [{ ...disk.disks[0]!, path: s }], errors: [s] }) }),
    ],
    [
      "a recipe name on the plot",
      (s) => ({ durations: async () => [{ ...durations[0]!, recipe: s, runId: s }] }),
    ],
    ["a failing source's message", (s) => ({ durations: async () => Promise.reject(new Error(s)) })],
  ])("escapes %s", async (_name, inject) => {
    const html = renderStatusHtml(await collectStatus(new FakeEngine(), sources(inject(hostile))));
    expect(html).not.toContain("<img");
    expect(html).not.toContain('"alert(1)"');
    expect(html).toContain("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;&#38;&#39;");
  });
});

describe("duration plot", () => {
  const svg = renderDurationPlot(durations).text;
  const circles = (mode: string) =>
    svg
      .split(`data-mode="${mode}"><polyline`)[1]
      ?.split("</g>")[0]
      ?.match(/<circle class="point"/g) ?? [];

  it("draws one series per mode with one point per run", () => {
    expect(circles("cold")).toHaveLength(2);
    expect(circles("quick")).toHaveLength(2);
  });

  it("places every point inside the plot, longer runs higher", () => {
    const ys = Object.fromEntries(
      [...svg.matchAll(/data-run="(\w+)"[^>]*cy="([\d.]+)"/g)].map((m) => [m[1], Number(m[2])]),
    );
    const xs = [...svg.matchAll(/class="point"[^>]*cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs.every((x) => x >= 64 && x <= 744)).toBe(true);
    expect(ys.j3).toBeLessThan(ys.j1!);
    expect(ys.j1).toBeLessThan(ys.j4!);
  });

  it("draws a run that did not pass hollow", () => {
    expect(svg).toMatch(/data-run="j3" data-state="failed"[^>]*fill="#ffffff"/);
    expect(svg).toMatch(/data-run="j1" data-state="passed"[^>]*fill="#1d4ed8"/);
  });

  it.each([
    ["a single run", [point("only", "cold", 0, 5000)]],
    ["runs of zero duration", [point("a", "quick", 0, 0), point("b", "quick", 5, 0)]],
  ])("draws %s without NaN", (_name, points) => {
    const text = renderDurationPlot(points).text;
    expect(text).toContain('class="point"');
    expect(text).not.toContain("NaN");
    expect(text).not.toContain("Infinity");
  });

  it.each([
    ["20 s", 20_000, ["0", "5 s", "10 s", "15 s", "20 s"]],
    ["4 min", 240_000, ["0", "1 min", "2 min", "3 min", "4 min"]],
    ["3.5 min", 210_000, ["0", "1 min", "2 min", "3 min", "4 min"]],
    ["2 h", 7_200_000, ["0", "30 min", "1 h", "1 h 30 min", "2 h"]],
  ])("labels the duration axis in whole units when the longest run takes %s", (_name, longest, labels) => {
    const text = renderDurationPlot([
      point("a", "cold", 0, longest / 2),
      point("b", "cold", 9, longest),
    ]).text;
    const ticks = [...text.matchAll(/class="tick y"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(ticks).toEqual(labels);
  });

  it("says there is nothing to plot before the first run", () => {
    expect(renderDurationPlot([]).text).toContain("No finished runs yet.");
  });
});

describe("status page over HTTP", () => {
  let server: Server;
  let base: string;
  beforeEach(async () => {
    const handler = statusPageHandler(engineWithRuns(), sources());
    server = createServer((req, res) => {
      if (!handler(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it("answers JSON with the same sections the HTML shows", async () => {
    const response = await fetch(`${base}/ccci`, { headers: { accept: "application/json" } });
    const json = (await response.json()) as StatusModel;
    expect(Object.keys(json).sort()).toEqual([
      "canonicals",
      "disk",
      "durations",
      "generatedAt",
      "lastSweep",
      "queued",
      "recent",
      "running",
      "unavailable",
    ]);
    const html = await (await fetch(`${base}/ccci`)).text();
    for (const row of [...json.queued, ...json.running, ...json.recent])
      expect(html).toContain(`data-run="${row.id}"`);
    for (const row of json.canonicals) expect(html).toContain(`data-recipe="${row.recipe}"`);
    for (const p of json.durations) expect(html).toContain(`data-run="${p.runId}"`);
    expect(json.lastSweep?.status).toBe("red");
    expect(json.disk?.disks[0]?.level).toBe("soft");
  });

  it("forbids scripts and every outside resource with its CSP", async () => {
    const response = await fetch(`${base}/ccci`);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toMatch(
      /^default-src 'none'; style-src 'unsafe-inline'/,
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers 500 naming the failure when the engine itself fails", async () => {
    const broken = new FakeEngine();
    broken.list = () => {
      throw new Error("engine exploded");
    };
    const handler = statusPageHandler(broken, sources());
    const local = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
    const response = await fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/ccci`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain("engine exploded");
    await new Promise((resolve) => local.close(resolve));
  });
});
