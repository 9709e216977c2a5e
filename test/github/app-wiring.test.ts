import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { createCcciApp } from "../../src/index.js";
import { FakeEngine } from "../helpers/fake-engine.js";
import { testPrivateKey } from "../helpers/probot-harness.js";

describe("createCcciApp", () => {
  it("mounts the status page first, then any extra handlers, through Probot's addHandler", async () => {
    const probot = new Probot({
      appId: 1,
      privateKey: testPrivateKey(),
      log: pino({ level: "silent" }),
      Octokit: ProbotOctokit,
    });
    const metrics = () => false;
    const app = createCcciApp({ engine: new FakeEngine(), extraHandlers: [metrics] });
    const mounted: unknown[] = [];
    await probot.load(app.appFn, { cwd: process.cwd(), addHandler: (handler) => mounted.push(handler) });
    app.stop();
    expect(mounted).toHaveLength(2);
    expect(mounted[1]).toBe(metrics);
  });
});
