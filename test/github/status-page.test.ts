import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { statusPageHandler } from "../../src/ops/status-page.js";
import { FakeEngine } from "../helpers/fake-engine.js";

// The status page is mounted by the app (src/index.ts) through Probot's addHandler; this drives the
// handler over real HTTP, with a 404 behind it as Probot's notFound handler would answer.
let server: Server;
let base: string;
let engine: FakeEngine;

beforeEach(async () => {
  engine = new FakeEngine();
  const handler = statusPageHandler(engine);
  server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => new Promise((resolve) => server.close(resolve)));

const request = (mode: "cold" | "quick", repo = "o/hello#1") => ({
  repo,
  source: { kind: "git" as const, url: "file:///x" },
  ref: "d".repeat(40),
  mode,
});

describe("status page", () => {
  it("GET /ccci/healthz answers ok", async () => {
    const response = await fetch(`${base}/ccci/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("GET /ccci lists queued, running and recent runs with mode, SHA, verdict and duration", async () => {
    const done = engine.submit(request("cold")).run;
    engine.finish(done.id, "passed", { durationMs: 61_000 });
    const running = engine.submit(request("quick")).run;
    engine.start(running.id);
    engine.submit(request("cold", "o/<script>#2"));

    const response = await fetch(`${base}/ccci`, { headers: { accept: "application/json" } });
    const json = (await response.json()) as Record<"queued" | "running" | "recent", unknown[]>;
    expect(json.running).toMatchObject([{ id: running.id, mode: "quick", state: "running" }]);
    expect(json.queued).toMatchObject([{ mode: "cold", state: "queued", queuePosition: 1 }]);
    expect(json.recent).toMatchObject([
      { id: done.id, state: "passed", durationMs: 61_000, sha: "d".repeat(40) },
    ]);

    const html = await (await fetch(`${base}/ccci`)).text();
    expect(html).toContain("<td>quick</td>");
    expect(html).toContain("<td>ddddddd</td>");
    expect(html).toContain("61.0 s");
    expect(html).not.toContain("<script>");
    expect(html).toContain("o/&#60;script&#62;#2");
  });

  it.each([
    ["another path", "GET", "/ccci-admin", 404],
    ["a POST", "POST", "/ccci", 405],
  ])("%s is not the status page's", async (_name, method, path, status) => {
    expect((await fetch(`${base}${path}`, { method })).status).toBe(status);
  });
});
