#!/usr/bin/env node
// Benchmark (issue 13): what the custom-assert sandbox adds to a cold run. Interleaves cold runs of the
// hello fixture by a baseline build that runs asserts on the host (e.g. the main branch before the sandbox)
// and by this build (each assert in its own container), and times a bare sandbox start on its own.
// Usage: npm run build && node scripts/bench-sandbox.mjs --baseline /path/to/old/checkout [--rounds 5]
// Needs a Docker Swarm, ccci/busybox:local and ccci/assert:local. Markdown on stdout, progress on stderr.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const { values } = parseArgs({
  options: { baseline: { type: "string" }, rounds: { type: "string", default: "5" } },
});
if (!values.baseline) throw new Error("--baseline DIR: a built checkout whose asserts run on the host");
const rounds = Number(values.rounds);
const domain = `bs${randomBytes(3).toString("hex")}.localhost`;
const work = await mkdtemp(join(tmpdir(), "ccci-benchs-"));
const log = (line) => console.error(`[bench-sandbox] ${line}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms) => (ms / 1000).toFixed(2);

async function coldRun(checkout, label) {
  const { stdout } = await execa(
    "node",
    [join(checkout, "dist/cli.js"), "run", join(checkout, "test/fixtures/recipes/hello"), "--json"],
    { reject: false, env: { CCCI_STATE_DIR: join(work, label), CCCI_DOMAIN: domain, LOG_LEVEL: "warn" } },
  );
  const run = JSON.parse(stdout);
  if (run.state !== "passed") throw new Error(`${label}: ${run.state}: ${run.reason}`);
  const custom = run.tiers.find((t) => t.name === "custom");
  return { total: run.durationMs, custom: custom.durationMs };
}

/** The sandbox's fixed cost: `docker run` of the same argument list with `/bin/true` as the assert. */
async function bareSandbox() {
  const { sandboxRunArgs } = await import(join(root, "dist/engine/asserts/sandbox-args.js"));
  const dir = await mkdtemp(join(tmpdir(), "ccci-benchs-box-"));
  const args = sandboxRunArgs({
    name: `ccci-bench-${randomBytes(3).toString("hex")}`,
    runId: "bench",
    stack: "bench",
    image: "ccci/assert:local",
    checkoutDir: dir,
    socketPath: "/dev/null",
    network: "none",
    envFile: "/dev/null",
    memoryMb: 256,
    command: "/bin/true",
  });
  const started = Date.now();
  await execa("docker", args);
  await rm(dir, { recursive: true, force: true });
  return Date.now() - started;
}

const rows = { baseline: [], sandbox: [] };
try {
  for (let round = 1; round <= rounds; round++) {
    rows.baseline.push(await coldRun(resolve(values.baseline), `baseline-${round}`));
    rows.sandbox.push(await coldRun(root, `sandbox-${round}`));
    log(`round ${round}: host ${JSON.stringify(rows.baseline.at(-1))} sandbox ${JSON.stringify(rows.sandbox.at(-1))}`);
  }
  const bare = [];
  for (let i = 0; i < 10; i++) bare.push(await bareSandbox());
  const m = (list, key) => median(list.map((r) => r[key]));
  console.log("| | cold run (median) | custom tier (median) |");
  console.log("| --- | --- | --- |");
  console.log(`| asserts on the host (baseline) | ${seconds(m(rows.baseline, "total"))} s | ${seconds(m(rows.baseline, "custom"))} s |`);
  console.log(`| asserts in the sandbox | ${seconds(m(rows.sandbox, "total"))} s | ${seconds(m(rows.sandbox, "custom"))} s |`);
  console.log(`| **added by the sandbox** | ${seconds(m(rows.sandbox, "total") - m(rows.baseline, "total"))} s | ${seconds(m(rows.sandbox, "custom") - m(rows.baseline, "custom"))} s |`);
  console.log(`\nBare sandbox start (\`docker run\` of \`/bin/true\` with the sandbox's arguments), median of 10: ${seconds(median(bare))} s (min ${seconds(Math.min(...bare))}, max ${seconds(Math.max(...bare))}).`);
  console.log(`Rounds: ${rounds}; per round (host / sandbox custom tier, ms): ${rows.baseline.map((r, i) => `${r.custom}/${rows.sandbox[i].custom}`).join(", ")}.`);
} finally {
  await rm(work, { recursive: true, force: true });
}
