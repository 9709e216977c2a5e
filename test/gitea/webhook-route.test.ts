import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GITEA_WEBHOOK_PATH, giteaWebhookRoute, MAX_DELIVERY_BYTES } from "../../src/gitea/webhook-route.js";

const SECRET = "route-test-secret";
const received: { event: string; payload: unknown }[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  const route = giteaWebhookRoute(
    SECRET,
    (event, payload) => received.push({ event, payload }),
    pino({ level: "silent" }),
  );
  server = createServer((req, res) => {
    void route(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}${GITEA_WEBHOOK_PATH}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  received.length = 0;
});

const sign = (body: string, secret = SECRET) => createHmac("sha256", secret).update(body).digest("hex");

function post(body: string, headers: Record<string, string>) {
  return fetch(url, { method: "POST", headers: { "x-gitea-event": "issue_comment", ...headers }, body });
}

describe("the Gitea webhook route", () => {
  it.each([
    ["X-Hub-Signature-256", (hex: string) => ({ "x-hub-signature-256": `sha256=${hex}` })],
    ["X-Gitea-Signature", (hex: string) => ({ "x-gitea-signature": hex })],
    ["X-Forgejo-Signature", (hex: string) => ({ "x-forgejo-signature": hex })],
  ])("a body signed in %s is accepted and handed on with its event", async (_name, headers) => {
    const body = JSON.stringify({ action: "created" });
    const response = await post(body, headers(sign(body)));
    expect(response.status).toBe(200);
    expect(received).toEqual([{ event: "issue_comment", payload: { action: "created" } }]);
  });

  it.each([
    ["no signature", {}],
    ["a signature made with another secret", { "x-hub-signature-256": `sha256=${sign("{}", "other")}` }],
    ["a signature of another body", { "x-gitea-signature": sign('{"a":1}') }],
    ["a malformed signature", { "x-gitea-signature": "zz" }],
    ["GitHub's sha1 header only", { "x-hub-signature": `sha1=${"0".repeat(40)}` }],
  ])("%s is refused with 401 and reaches nothing", async (_name, headers) => {
    const response = await post("{}", headers as Record<string, string>);
    expect(response.status).toBe(401);
    expect(received).toEqual([]);
  });

  it("a signed body that is not JSON gets 400", async () => {
    const response = await post("not json", { "x-gitea-signature": sign("not json") });
    expect(response.status).toBe(400);
    expect(received).toEqual([]);
  });

  it("a body at the size bound is accepted; one byte more is refused with 413", async () => {
    const filler = (size: number) => JSON.stringify({ pad: "x".repeat(size - '{"pad":""}'.length) });
    const atLimit = filler(MAX_DELIVERY_BYTES);
    expect(Buffer.byteLength(atLimit)).toBe(MAX_DELIVERY_BYTES);
    expect((await post(atLimit, { "x-gitea-signature": sign(atLimit) })).status).toBe(200);
    const over = filler(MAX_DELIVERY_BYTES + 1);
    expect((await post(over, { "x-gitea-signature": sign(over) })).status).toBe(413);
    expect(received).toHaveLength(1);
  });

  it("other methods get 405; other paths are left to the next handler", async () => {
    expect((await fetch(url)).status).toBe(405);
    expect((await fetch(url.replace(GITEA_WEBHOOK_PATH, "/elsewhere"), { method: "POST" })).status).toBe(404);
  });
});
