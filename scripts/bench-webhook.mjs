#!/usr/bin/env node
// Webhook acknowledgement latency of the real bot: starts `node dist/main.js` (run `npm run build`
// first) against a stand-in GitHub API on 127.0.0.1, fires N concurrent signed `!testme` deliveries
// from a commenter with `read` permission (so each one does real after-ack work: token, permission
// check, refusal comment, but deploys nothing), and prints p50/p99 of the time to each HTTP answer.
//
//   node scripts/bench-webhook.mjs [deliveries=200]
//
// BENCH_BODY="just a comment" measures the bare acknowledgement (no after-ack work); BENCH_NODE_ARGS
// passes flags to the bot's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
//
// Plain ESM on purpose: there is no TypeScript runner installed, and it only drives the built bot.
import { execa } from "execa";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, request } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const deliveries = Number(process.argv[2] ?? 200);
const root = resolve(import.meta.dirname, "..");
const secret = "bench-secret";

function standInGitHub() {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    req.resume();
    req.on("end", () => {
      const body = req.url.endsWith("/permission") ? { permission: "read" } : { token: "t", id: 1 };
      res.writeHead(req.method === "GET" ? 200 : 201, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  return new Promise((done) =>
    server.listen(0, "127.0.0.1", () => done({ server, port: server.address().port, count: () => requests })),
  );
}

function freePort() {
  const probe = createServer();
  return new Promise((done) =>
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    }),
  );
}

function commandPayload() {
  const examples = createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json");
  const payload = structuredClone(examples.find((e) => e.name === "issue_comment").examples[3]);
  payload.issue.number = 2;
  payload.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/2" };
  payload.comment.body = process.env.BENCH_BODY ?? "!testme";
  return JSON.stringify(payload);
}

/** One POST over a fresh connection (node:http, so the client adds no pooling or queueing of its own). */
function post(port, headers, body) {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, path: "/api/github/webhooks", method: "POST", headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode));
    });
    req.on("error", fail);
    req.end(body);
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function waitForHealth(url) {
  for (let i = 0; i < 200; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the bot did not become healthy");
}

const github = await standInGitHub();
const port = await freePort();
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
const bot = execa("node", [...nodeArgs, join(root, "dist/main.js")], {
  env: {
    APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: secret, PORT: String(port), HOST: "127.0.0.1",
    GHE_HOST: `127.0.0.1:${github.port}`, GHE_PROTOCOL: "http", LOG_LEVEL: "warn",
    CCCI_STATE_DIR: mkdtempSync(join(tmpdir(), "ccci-bench-")),
  },
  reject: false,
});
try {
  await waitForHealth(`http://127.0.0.1:${port}/ccci/healthz`);
  const body = commandPayload();
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const send = async () => {
    const headers = {
      "content-type": "application/json", "x-github-event": "issue_comment",
      "x-github-delivery": randomUUID(), "x-hub-signature-256": signature,
    };
    const started = performance.now();
    const status = await post(port, headers, body);
    return { ms: performance.now() - started, status };
  };
  await send(); // warm-up: JIT, first token exchange
  const sequential = [];
  for (let i = 0; i < 20; i++) sequential.push((await send()).ms);
  sequential.sort((a, b) => a - b);
  console.log(`one at a time (20 deliveries): p50 ${percentile(sequential, 50).toFixed(1)} ms`);
  const results = await Promise.all(Array.from({ length: deliveries }, send));
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  const failed = results.filter((r) => r.status !== 200).length;
  console.log(`deliveries: ${deliveries} concurrent, non-200 answers: ${failed}`);
  console.log(`ack latency ms: p50 ${percentile(sorted, 50).toFixed(1)}  p99 ${percentile(sorted, 99).toFixed(1)}  max ${sorted.at(-1).toFixed(1)}`);
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`after-ack API requests seen by the stand-in within 2 s: ${github.count()}`);
} finally {
  bot.kill("SIGTERM");
  await bot;
  github.server.close();
}
