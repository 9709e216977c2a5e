import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API,
  createHarness,
  type Harness,
  mockInstallationToken,
  pendingMocksAfterCleanup,
  WEBHOOK_SECRET,
} from "../helpers/probot-harness.js";
import { signedDelivery } from "../helpers/signed-delivery.js";
import { commentOnPullRequest, pullRequestObject } from "../helpers/webhook-examples.js";

let harness: Harness;
let server: Server;
let url: string;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  harness = await createHarness();
  const middleware = await harness.probot.getNodeMiddleware();
  server = createServer((req, res) => void middleware(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
});

afterEach(async () => {
  await harness.settle();
  harness.app.stop();
  await new Promise((resolve) => server.close(resolve));
  expect(pendingMocksAfterCleanup()).toEqual([]);
  expect(harness.problems).toEqual([]);
  nock.enableNetConnect();
});

describe("webhook deliveries over HTTP", () => {
  it.each([
    ["a missing signature", (h: Record<string, string>) => delete h["x-hub-signature-256"], 400],
    [
      "a wrong signature",
      (h: Record<string, string>) => (h["x-hub-signature-256"] = `sha256=${"0".repeat(64)}`),
      400,
    ],
    [
      "a signature made with another secret",
      (h: Record<string, string>) => {
        h["x-hub-signature-256"] = signedDelivery("issue_comment", {}, "not-the-secret").headers[
          "x-hub-signature-256"
        ] as string;
      },
      400,
    ],
  ])("%s is rejected and nothing runs", async (_name, tamper, status) => {
    const delivery = signedDelivery("issue_comment", commentOnPullRequest("!testme"), WEBHOOK_SECRET);
    tamper(delivery.headers);
    const response = await fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body });
    expect(response.status).toBe(status);
    await harness.settle();
    expect(harness.requests).toEqual([]);
    expect(harness.engine.submitted).toEqual([]);
  });

  it("a signed command is answered before the bot sends a single API request", async () => {
    mockInstallationToken();
    // GitHub answering slowly must not slow the acknowledgement.
    nock(API)
      .get("/repos/Codertocat/Hello-World/collaborators/Codertocat/permission")
      .delay(1000)
      .reply(200, { permission: "write" });
    nock(API)
      .post(/\/reactions$/)
      .reply(201, {})
      .get("/repos/Codertocat/Hello-World/pulls/2")
      .reply(200, pullRequestObject())
      .post("/repos/Codertocat/Hello-World/check-runs")
      .reply(201, { id: 1, html_url: "" })
      .post(/\/statuses\//)
      .reply(201, {});
    // Warm-up with a comment that is no command, so the measurement is not the first request's JIT.
    const warmUp = signedDelivery("issue_comment", commentOnPullRequest("just a comment"), WEBHOOK_SECRET);
    await fetch(url, { method: "POST", headers: warmUp.headers, body: warmUp.body });
    const delivery = signedDelivery("issue_comment", commentOnPullRequest("!testme"), WEBHOOK_SECRET);
    const started = performance.now();
    const response = await fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body });
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    expect(harness.requests).toEqual([]);
    // Had the answer waited for the handler, it would take over the 1 s the permission check takes.
    expect(elapsed).toBeLessThan(500);
    await harness.settle();
    expect(harness.engine.submitted).toHaveLength(1);
  });
});
