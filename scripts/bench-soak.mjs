#!/usr/bin/env node
// Soak benchmark of the real bot (issue 14): `node dist/main.js` (run `npm run build` first) and a bare
// Probot app (an empty app on Probot's own Server), side by side against one stand-in GitHub API on
// 127.0.0.1. Both get the same stream of signed deliveries — pings, `!testme` from untrusted users,
// replayed delivery ids, oversized bodies — while the bot also runs cold runs of copies of the `hello`
// fixture on the real swarm, each with a custom assert that floods stdout and stderr. Prints the bot's
// and the bare app's peak RSS (VmHWM from /proc/<pid>/status) and the ack p50/p99 of each.
//
//   node scripts/bench-soak.mjs [--deliveries 1000] [--runs 20] [--flood-mib 8] [--concurrency 16]
//
// Needs the swarm and the ccci/busybox:local image (scripts/swarm-up.sh). Plain ESM: it drives the build.
import { execa } from "execa";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    deliveries: { type: "string", default: "1000" },
    runs: { type: "string", default: "20" },
    "flood-mib": { type: "string", default: "8" },
    concurrency: { type: "string", default: "16" },
    "oversized-mib": { type: "string", default: "30" },
    // "soak" (the mix below), or only one kind: "ping", "untrusted" (to see where time goes).
    mix: { type: "string", default: "soak" },
    // Another build of the bot to compare, e.g. an older checkout's dist/main.js.
    bot: { type: "string", default: "dist/main.js" },
  },
});
const DELIVERIES = Number(opts.deliveries);
const RUNS = Number(opts.runs);
const FLOOD_MIB = Number(opts["flood-mib"]);
const CONCURRENCY = Number(opts.concurrency);
const OVERSIZED = Number(opts["oversized-mib"]) * 1024 * 1024;
const root = resolve(import.meta.dirname, "..");
const secret = "soak-secret";
const OWNER = "soak";
const MiB = 1024 * 1024;

const git = (cwd, args) =>
  execa("git", args, {
    cwd,
    env: { GIT_AUTHOR_NAME: "s", GIT_AUTHOR_EMAIL: "s@x", GIT_COMMITTER_NAME: "s", GIT_COMMITTER_EMAIL: "s@x" },
  }).then((r) => r.stdout.trim());

/** `hello` under another name, with a custom assert that floods both output streams, committed. */
async function floodingRecipe(base, name) {
  const dir = join(base, name);
  cpSync(join(root, "test/fixtures/recipes/hello"), dir, { recursive: true });
  const flood = join(dir, "tests/ccci/20-floods-output");
  const bytes = FLOOD_MIB * MiB;
  writeFileSync(
    flood,
    `#!/bin/sh\n# Floods stdout and stderr, then passes.\nhead -c ${bytes} /dev/zero | tr '\\000' o &\nhead -c ${bytes} /dev/zero | tr '\\000' e >&2\nwait\necho done\n`,
  );
  chmodSync(flood, 0o755);
  await git(dir, ["init", "--quiet", "--initial-branch=main"]);
  await git(dir, ["add", "-A"]);
  await git(dir, ["commit", "--quiet", "-m", name]);
  return { name, dir, sha: await git(dir, ["rev-parse", "HEAD"]) };
}

/** A stand-in GitHub for every repository `soak/<name>`: one open PR #1 each; only `maintainer` may write. */
function standInGitHub(repos) {
  const byName = new Map(repos.map((r) => [r.name, r]));
  const checkRuns = new Map();
  let nextId = 1000;
  let requests = 0;
  const examples = createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json");
  const prTemplate = examples.find((e) => e.name === "pull_request").examples.find((e) => e.action === "synchronize").pull_request;
  const answer = (method, path, body) => {
    let m;
    if ((m = /^\/app\/installations\/\d+\/access_tokens$/.exec(path))) return [201, { token: "t", expires_at: "2099-01-01T00:00:00Z" }];
    if (path === "/app") return [200, { id: 1, slug: "ccci" }];
    if (!(m = /^\/repos\/[^/]+\/([^/]+)(\/.*)$/.exec(path))) return [404, { message: "Not Found" }];
    const [, repoName, rest] = m;
    const repo = byName.get(repoName);
    if ((m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest)))
      return [200, { permission: m[1] === "maintainer" ? "write" : "read" }];
    if (rest === "/pulls/1" && repo) {
      const pr = structuredClone(prTemplate);
      Object.assign(pr, { number: 1, state: "open" });
      pr.head.sha = repo.sha;
      pr.head.repo.clone_url = `file://${repo.dir}`;
      pr.base.repo.clone_url = `file://${repo.dir}`; // ccci clones the base repository (fork-safe)
      pr.base.ref = "main";
      pr.base.repo.name = repo.name;
      return [200, pr];
    }
    if (method === "POST" && rest === "/check-runs") {
      const id = ++nextId;
      checkRuns.set(id, { repo: repoName, ...body });
      return [201, { id, html_url: `http://stand-in/${id}` }];
    }
    if ((m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      Object.assign(checkRuns.get(Number(m[1])) ?? {}, body);
      return [200, { id: Number(m[1]) }];
    }
    if (method === "GET" && /\/comments$/.test(rest)) return [200, []];
    return [method === "GET" ? 200 : 201, { id: ++nextId }];
  };
  const server = createServer((req, res) => {
    requests += 1;
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const path = new URL(req.url, "http://x").pathname.replace(/^\/api\/v3/, "");
      const [status, body] = answer(req.method, path, text ? JSON.parse(text) : undefined);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  return new Promise((done) =>
    server.listen(0, "127.0.0.1", () =>
      done({ server, port: server.address().port, checkRuns, count: () => requests }),
    ),
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

async function waitForHealth(url, path = "/ccci/healthz") {
  for (let i = 0; i < 600; i++) {
    if (await fetch(`${url}${path}`).then((r) => r.status < 500, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

const sign = (body) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

function commentPayload(repo, user, text) {
  const examples = createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json");
  const payload = structuredClone(examples.find((e) => e.name === "issue_comment").examples[3]);
  payload.issue.number = 1;
  payload.issue.state = "open";
  payload.issue.pull_request = { url: `https://api.github.com/repos/${OWNER}/${repo}/pulls/1` };
  payload.repository.name = repo;
  payload.repository.owner.login = OWNER;
  payload.sender.login = user;
  payload.sender.type = "User";
  payload.comment.body = text;
  // Posted after the PR's last push (the example's is older), or ccci refuses it as "head moved".
  payload.comment.created_at = new Date().toISOString();
  return payload;
}

/** The delivery stream: 40% pings, 40% untrusted `!testme`, 10% replays of an earlier id, 10% oversized. */
function deliveryMix(count, repo) {
  const list = [];
  for (let i = 0; i < count; i++) {
    const soak = ["ping", "ping", "ping", "ping", "untrusted", "untrusted", "untrusted", "untrusted", "replay", "oversized"];
    const kind = opts.mix === "soak" ? soak[i % 10] : opts.mix;
    if (kind === "replay" && list.length > 0) {
      list.push({ ...list[Math.floor(list.length / 2)], kind });
      continue;
    }
    if (kind === "oversized") {
      list.push({ kind, event: "issue_comment", id: randomUUID(), oversized: true });
      continue;
    }
    const payload =
      kind === "ping"
        ? { zen: "Keep it logically awesome.", hook_id: 1, hook: { type: "App", id: 1, events: ["issue_comment"] } }
        : commentPayload(repo, `visitor-${i % 50}`, "!testme");
    const body = JSON.stringify(payload);
    list.push({ kind, event: kind === "ping" ? "ping" : "issue_comment", id: randomUUID(), body, signature: sign(body) });
  }
  return list;
}

/** One POST over a fresh connection; an oversized body is streamed until the server answers. */
function post(port, delivery) {
  return new Promise((done) => {
    const started = performance.now();
    let answered = false;
    const headers = {
      "content-type": "application/json",
      "x-github-event": delivery.event,
      "x-github-delivery": delivery.id,
      "x-hub-signature-256": delivery.signature ?? `sha256=${"0".repeat(64)}`,
      "content-length": String(delivery.oversized ? OVERSIZED : Buffer.byteLength(delivery.body)),
    };
    const req = request({ host: "127.0.0.1", port, path: "/api/github/webhooks", method: "POST", headers, agent: false }, (res) => {
      answered = true;
      res.resume();
      res.on("end", () => done({ ms: performance.now() - started, status: res.statusCode, kind: delivery.kind }));
    });
    req.on("error", () => answered || done({ ms: performance.now() - started, status: 0, kind: delivery.kind }));
    if (!delivery.oversized) return req.end(delivery.body);
    const chunk = Buffer.alloc(MiB, 0x20);
    let sent = 0;
    const pump = () => {
      while (!answered && sent < OVERSIZED) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/**
 * Sends every delivery to both servers at the same moment (CONCURRENCY at a time), so both answer under
 * the same load of the machine; resolves with each server's results.
 */
async function fireBoth(ports, deliveries) {
  const results = ports.map(() => []);
  let next = 0;
  const worker = async () => {
    while (next < deliveries.length) {
      const delivery = deliveries[next++];
      const answers = await Promise.all(ports.map((port) => post(port, delivery)));
      answers.forEach((answer, i) => results[i].push(answer));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
/** VmHWM of a live process, in bytes; undefined once it has exited. */
function vmHwm(pid) {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
  } catch {
    return undefined;
  }
}

/** Samples a process's VmHWM twice a second (it only grows) until it exits. */
function watchPeak(pid) {
  const watch = { peak: 0, exited: false };
  const timer = setInterval(() => {
    const now = vmHwm(pid);
    if (now === undefined) {
      watch.exited = true;
      clearInterval(timer);
    } else watch.peak = Math.max(watch.peak, now);
  }, 500);
  timer.unref();
  return watch;
}

const BARE_PROBOT = `
import { Probot, Server } from "probot";
const server = new Server({ port: Number(process.env.PORT), host: "127.0.0.1",
  Probot: Probot.defaults({ appId: 1, privateKey: process.env.PRIVATE_KEY, secret: process.env.WEBHOOK_SECRET, logLevel: "warn",
    baseUrl: process.env.BASE_URL }) });
await server.load((app) => { app.on("issue_comment.created", async () => {}); });
await server.start();
`;

const work = mkdtempSync(join(tmpdir(), "ccci-soak-"));
const repos = [];
for (let i = 1; i <= Math.max(RUNS, 1); i++) repos.push(await floodingRecipe(work, `soak${String(i).padStart(2, "0")}`));
const github = await standInGitHub(repos);
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const [botPort, barePort] = [await freePort(), await freePort()];
const common = { APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: secret, LOG_LEVEL: "warn", HOST: "127.0.0.1" };
const bot = execa("node", [resolve(root, opts.bot)], {
  env: {
    ...common, PORT: String(botPort), GHE_HOST: `127.0.0.1:${github.port}`, GHE_PROTOCOL: "http",
    CCCI_STATE_DIR: join(work, "state"), CCCI_SWEEP_CRON: "off", CCCI_SETTLE_SECONDS: "0", CCCI_MAX_TESTS: "2",
  },
  reject: false,
  stdout: { file: join(work, "bot.log") },
  stderr: { file: join(work, "bot.log") },
});
const bare = execa("node", ["--input-type=module", "-e", BARE_PROBOT], {
  cwd: root,
  env: { ...common, PORT: String(barePort), BASE_URL: `http://127.0.0.1:${github.port}/api/v3` },
  reject: false,
});
const botWatch = watchPeak(bot.pid);
const bareWatch = watchPeak(bare.pid);
try {
  await waitForHealth(`http://127.0.0.1:${botPort}`);
  await waitForHealth(`http://127.0.0.1:${barePort}`, "/");
  const started = Date.now();
  // The runs: one maintainer `!testme` per flooding recipe.
  for (const repo of repos.slice(0, RUNS)) {
    const body = JSON.stringify(commentPayload(repo.name, "maintainer", "!testme"));
    await post(botPort, { kind: "run", event: "issue_comment", id: randomUUID(), body, signature: sign(body) });
  }
  const deliveries = deliveryMix(DELIVERIES, repos[0].name);
  const small = deliveries.filter((d) => !d.oversized);
  const oversized = deliveries.filter((d) => d.oversized);
  // Phase 1, the ack comparison: the small deliveries, each to both at once. Phase 2: the oversized
  // bodies (which a bare Probot reads whole before it checks the signature), each to both at once.
  await fireBoth([botPort, barePort], deliveryMix(40, repos[0].name).filter((d) => !d.oversized)); // warm-up
  const [botResults, bareResults] = await fireBoth([botPort, barePort], small);
  const [botOversized, bareOversized] = await fireBoth([botPort, barePort], oversized);
  console.log(
    `deliveries: ${DELIVERIES} to each: ${small.length} small (pings, untrusted !testme, replayed ids) ` +
      `then ${oversized.length} unsigned ${opts["oversized-mib"]} MiB bodies; concurrency ${CONCURRENCY}`,
  );
  const answers = (results) => {
    const statuses = {};
    for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    return JSON.stringify(statuses);
  };
  for (const [name, results, big] of [["ccci", botResults, botOversized], ["bare Probot", bareResults, bareOversized]]) {
    const ms = results.map((r) => r.ms);
    console.log(
      `${name.padEnd(12)} ack ms (small, n=${ms.length}): p50 ${percentile(ms, 50).toFixed(1)}  p90 ${percentile(ms, 90).toFixed(1)}  ` +
        `p99 ${percentile(ms, 99).toFixed(1)}  max ${Math.max(...ms).toFixed(1)}  answers ${answers(results)}; ` +
        `oversized: p99 ${percentile(big.map((r) => r.ms), 99).toFixed(1)} answers ${answers(big)}`,
    );
  }
  // Wait for every run to finish (their floods pass through the bot) before reading peak memory.
  const deadline = Date.now() + 30 * 60_000;
  const finished = () => [...github.checkRuns.values()].filter((c) => c.status === "completed");
  while (RUNS > 0 && finished().length < RUNS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2000));
  const conclusions = {};
  for (const c of finished()) conclusions[c.conclusion] = (conclusions[c.conclusion] ?? 0) + 1;
  console.log(`runs: ${finished().length}/${RUNS} completed ${JSON.stringify(conclusions)} (flood ${FLOOD_MIB} MiB on stdout + ${FLOOD_MIB} MiB on stderr each), ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await new Promise((r) => setTimeout(r, 600));
  const shown = (watch) => `${(watch.peak / MiB).toFixed(0)} MiB${watch.exited ? " (then the process died)" : ""}`;
  console.log(`peak RSS (VmHWM): ccci ${shown(botWatch)}, bare Probot ${shown(bareWatch)}`);
  const p99 = (results) => percentile(results.map((r) => r.ms), 99);
  console.log(`ack p99 ratio ccci / bare Probot: ${(p99(botResults) / p99(bareResults)).toFixed(2)}  (goal ≤ 1.0; peak RSS goal ≤ 300 MiB)`);
  console.log(`API requests the stand-in answered: ${github.count()}; bot log: ${join(work, "bot.log")}`);
} finally {
  bot.kill("SIGTERM");
  bare.kill("SIGTERM");
  const [botEnd, bareEnd] = await Promise.all([bot, bare]);
  github.server.close();
  for (const [name, end, watch] of [["ccci", botEnd, botWatch], ["bare Probot", bareEnd, bareWatch]]) {
    if (watch.exited) console.log(`${name} died during the soak: ${String(end.stderr ?? "").slice(-400)}`);
  }
}
