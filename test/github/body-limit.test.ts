import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { limitRequestBodies } from "../../src/github/body-limit.js";
import { DeliveryLog } from "../../src/github/delivery-log.js";

const log = pino({ level: "silent" });
let server: Server;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

/** A server whose own listener answers with the length of the body it was handed. */
async function limitedServer(maxBytes: number): Promise<number> {
  server = createServer((req, res) => {
    const raw = (req as { rawBody?: Buffer }).rawBody;
    res.writeHead(200).end(raw ? `raw ${raw.length}` : "passed");
  });
  limitRequestBodies(server, { webhookPath: "/hooks", maxBytes, log });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends `size` bytes in 64 KiB chunks (chunked unless `declare`), stopping once an answer arrives. */
function send(
  port: number,
  size: number,
  declare: boolean,
  method = "POST",
): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const headers = declare ? { "content-length": String(size) } : {};
    const req = request({ host: "127.0.0.1", port, path: "/hooks", method, headers }, (res) => {
      answered = true;
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, sent }));
    });
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, 120);
    const pump = () => {
      while (!answered && sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe("request bodies over the limit", () => {
  it.each([
    ["a body within the limit is read once and handed on", 1000, true, 200, "raw 1000"],
    ["a chunked body within the limit too", 1000, false, 200, "raw 1000"],
    ["a body of exactly the limit is accepted", 4096, true, 200, "raw 4096"],
    ["a declared body one byte over is refused unread", 4097, true, 413, "larger than 4096 bytes"],
    [
      "a chunked body over the limit is refused as it crosses it",
      10_000_000,
      false,
      413,
      "CCCI_WEBHOOK_MAX_BYTES",
    ],
  ])("%s", async (_name, size, declare, status, body) => {
    const port = await limitedServer(4096);
    const answer = await send(port, size, declare);
    expect(answer.status).toBe(status);
    expect(answer.body).toContain(body);
    // The answer came before the client had sent it all: the server stopped reading at the limit.
    if (status === 413 && !declare) expect(answer.sent).toBeLessThan(size);
  });

  it("other requests pass through unread", async () => {
    const port = await limitedServer(4096);
    expect((await send(port, 0, true, "GET")).body).toBe("passed");
  });
});

describe("the delivery log", () => {
  it("claims an id once, and still knows it after a restart", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ccci-deliveries-")), "deliveries.log");
    const first = await DeliveryLog.open(path, log);
    expect(first.claim("a1b2-c3")).toBe(true);
    expect(first.claim("a1b2-c3")).toBe(false);
    await first.flushed();
    const second = await DeliveryLog.open(path, log);
    expect(second.claim("a1b2-c3")).toBe(false);
    expect(second.claim("d4")).toBe(true);
  });

  it("keeps at most its bound in memory and on disk", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ccci-deliveries-")), "deliveries.log");
    const deliveries = await DeliveryLog.open(path, log, 100);
    for (let i = 0; i < 1_000; i++) deliveries.claim(`id-${i}`);
    await deliveries.flushed();
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(200);
    expect(deliveries.claim("id-999")).toBe(false); // the newest are kept
    expect(deliveries.claim("id-0")).toBe(true); // the oldest forgotten
    const reopened = await DeliveryLog.open(path, log, 100);
    expect(reopened.claim("id-998")).toBe(false);
  });
});
