#!/usr/bin/env node
// Benchmark (issue 4): wall time of a quick run vs a cold run of the same pull-request head of a data-heavy
// recipe (test/fixtures/recipes/dataheavy: its first boot computes a ~1.1 GiB dataset in its volume).
// Order: cold 1, seed (cold run of main + promotion = `ccci canonical seed`), quick 1, cold 2, quick 2, …
// Usage: npm run build && node scripts/bench-quick.mjs [--rounds 2] [--docs 20000] [--blobs 4] [--blob-mib 230]
//        [--settle SECONDS] [--cli dist/cli.js] [--cold-tiers install,custom|default] [--json-dir DIR]
// Needs root, a Docker Swarm and the image ccci/busybox:local. Prints Markdown tables on stdout, progress on
// stderr. Removes every stack, volume, snapshot and directory it made, even when a run fails.
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "2" },
    docs: { type: "string", default: "20000" },
    blobs: { type: "string", default: "4" },
    "blob-mib": { type: "string", default: "230" },
    settle: { type: "string" },
    // The cold runs' tiers: `install,custom` (a fresh install of the PR head, the least a cold run does) or
    // `default` (what `!testme` runs: install the base — the canonical's known-good once there is one —,
    // upgrade to the PR head, custom).
    "cold-tiers": { type: "string", default: "install,custom" },
    cli: { type: "string", default: join(root, "dist/cli.js") },
    // --json-dir DIR: also write each run's `ccci run --json` output to DIR/<label>.json (for timelines).
    "json-dir": { type: "string" },
  },
});
const sizes = { DATA_DOCS: values.docs, DATA_BLOBS: values.blobs, DATA_BLOB_MIB: values["blob-mib"] };
for (const [key, value] of Object.entries(sizes))
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new Error(`${key}: expected a whole number, got ${value}`);
const rounds = Number(values.rounds);
const recipe = "dataheavy";
// A base domain of our own: every stack and volume of this benchmark ends in `_<it with . → _>`.
const domain = `bq${randomBytes(3).toString("hex")}.localhost`;
const stackSuffix = `_${domain.replaceAll(".", "_")}`;
const warmStack = `warm-${recipe}${stackSuffix}`;
const work = await mkdtemp(join(tmpdir(), "ccci-benchq-"));
const stateDir = join(work, "state");
const repo = join(work, recipe);
const env = { CCCI_STATE_DIR: stateDir, CCCI_DOMAIN: domain, LOG_LEVEL: "warn" };
// --settle S: CCCI_SETTLE_SECONDS for every run, to see what the settle window costs (default: ccci's).
if (values.settle !== undefined) env.CCCI_SETTLE_SECONDS = values.settle;
const log = (line) => console.error(`[bench-quick] ${line}`);
const loadavg = async () => (await readFile("/proc/loadavg", "utf8")).split(" ").slice(0, 3).join(" ");
const git = async (...args) =>
  (
    await execa("git", ["-c", "user.email=bench@example.org", "-c", "user.name=bench", ...args], {
      cwd: repo,
    })
  ).stdout;

/** The PR head: a new page, and a custom assert that it is served. A small change, as most PRs are. */
const aboutPage = `        echo "<h1>About</h1><p>dataheavy serves a package catalogue</p>" > /data/www/about.html\n`;
const aboutAssert = `#!/bin/sh
# Custom assert of the PR: the new page is served.
set -eu
docker exec "$CCCI_APP_CONTAINER" wget -q -O - http://127.0.0.1:8080/about.html | grep -q "<h1>About</h1>"
`;

/** The recipe repository: main = the fixture (dataset sizes from the flags), branch pr-about = the PR. */
async function makeRecipe() {
  await cp(join(root, "test/fixtures/recipes", recipe), repo, { recursive: true });
  const envFile = join(repo, ".env.sample");
  let envSample = await readFile(envFile, "utf8");
  for (const [key, value] of Object.entries(sizes))
    envSample = envSample.replace(new RegExp(`^${key}=.*$`, "m"), `${key}=${value}`);
  await writeFile(envFile, envSample);
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git("commit", "-qm", "dataheavy 0.1.0");
  await git("checkout", "-q", "-b", "pr-about");
  const composeFile = join(repo, "compose.yml");
  const compose = await readFile(composeFile, "utf8");
  const exec = compose.indexOf("        exec httpd");
  if (exec < 0) throw new Error("the fixture's compose.yml no longer has the `exec httpd` line");
  await writeFile(composeFile, compose.slice(0, exec) + aboutPage + compose.slice(exec));
  await writeFile(join(repo, "tests/ccci/20-about-page"), aboutAssert, { mode: 0o755 });
  await git("add", "-A");
  await git("commit", "-qm", "add an about page");
  const prHead = (await git("rev-parse", "HEAD")).trim();
  await git("checkout", "-q", "main");
  await writeFile(
    join(stateDir, "recipes.yml"),
    `recipes:\n  ${recipe}:\n    repo: file://${repo}\n    branch: main\n`,
  );
  return prHead;
}

/** Flushes dirty pages and drops the page cache, so no run starts with the previous run's data cached. */
async function settleDisk() {
  await execa("sync");
  await writeFile("/proc/sys/vm/drop_caches", "3\n").catch(() => undefined);
}

/** One `ccci run … --json`, timed from process start to exit (the wall time a user waits). */
async function timedRun(label, args) {
  await settleDisk();
  const load = await loadavg();
  log(`${label}: ccci ${args.join(" ")}  (load ${load})`);
  const started = performance.now();
  const result = await execa("node", [values.cli, ...args, "--json"], { env, reject: false });
  const wallMs = performance.now() - started;
  const run = result.stdout.trim().startsWith("{") ? JSON.parse(result.stdout) : undefined;
  if (!run || run.state !== "passed")
    throw new Error(`${label} did not pass: ${run?.reason ?? result.stderr.slice(-2000)}`);
  log(`${label}: passed in ${(wallMs / 1000).toFixed(1)} s`);
  if (values["json-dir"])
    await writeFile(join(values["json-dir"], `${label.replaceAll(" ", "-")}.json`), `${result.stdout}\n`);
  return { label, wallMs, load, run };
}

const url = `file://${repo}`;
const coldTiers = values["cold-tiers"] === "default" ? [] : ["--tiers", values["cold-tiers"]];
const cold = (prHead, n) => timedRun(`cold ${n}`, ["run", url, "--name", recipe, "--ref", prHead, ...coldTiers]);
const quick = (prHead, n) =>
  timedRun(`quick ${n}`, ["run", url, "--name", recipe, "--ref", prHead, "--quick"]);

/** What `ccci canonical seed` does (a cold run of main with promotion), with --json for its steps. */
async function seed() {
  const result = await timedRun("seed", ["run", url, "--name", recipe, "--ref", "main", "--promote"]);
  if (!result.run.notes.some((n) => n.startsWith("promoted")))
    throw new Error(`seed did not promote: ${result.run.notes.join("; ")}`);
  if (result.run.mode !== "cold") throw new Error(`seed ran in ${result.run.mode} mode`);
  return result;
}

async function datasetSize() {
  const volumes = join(stateDir, "snapshots", recipe, "current", "volumes");
  const bytes = Number((await execa("du", ["-sbL", volumes])).stdout.split("\t")[0]);
  const files = (await execa("find", ["-L", volumes, "-type", "f"], { lines: true })).stdout.length;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB in ${files} files`;
}

const s = (ms) => (ms === undefined ? "" : (ms / 1000).toFixed(1));
const row = (cells) => `| ${cells.join(" | ")} |`;

function wallTable(colds, seeded, quicks) {
  const lines = [
    row(["run", "wall (s)", "ccci run (s)", "load at start", "quick / cold"]),
    row(Array(5).fill("---")),
  ];
  colds.forEach((c, i) => {
    const q = quicks[i];
    lines.push(row([c.label, s(c.wallMs), s(c.run.durationMs), c.load, ""]));
    if (i === 0)
      lines.push(
        row([`${seeded.label} (one-off)`, s(seeded.wallMs), s(seeded.run.durationMs), seeded.load, ""]),
      );
    lines.push(
      row([q.label, s(q.wallMs), s(q.run.durationMs), q.load, `**${(q.wallMs / c.wallMs).toFixed(3)}**`]),
    );
  });
  const sum = (list) => list.reduce((total, r) => total + r.wallMs, 0);
  lines.push(row(["mean", "", "", "", `**${(sum(quicks) / sum(colds)).toFixed(3)}** (goal ≤ 0.2)`]));
  return lines;
}

/** Rows = every step name in order of first appearance; columns = runs; cells = seconds. */
function stepTable(results) {
  const names = [...new Set(results.flatMap((r) => r.run.steps.map((st) => st.name)))];
  const cell = (r, name) =>
    s(
      r.run.steps.filter((st) => st.name === name).reduce((t, st) => t + (st.durationMs ?? 0), 0) ||
        undefined,
    );
  const tiers = [...new Set(results.flatMap((r) => r.run.tiers.map((t) => t.name)))];
  const tierCell = (r, name) => {
    const tier = r.run.tiers.find((t) => t.name === name);
    return tier && tier.status !== "skipped" ? s(tier.durationMs) : "";
  };
  return [
    row(["step (s)", ...results.map((r) => r.label)]),
    row(Array(results.length + 1).fill("---")),
    ...names.map((name) => row([name, ...results.map((r) => cell(r, name))])),
    ...tiers.map((name) => row([`*tier ${name}*`, ...results.map((r) => tierCell(r, name))])),
    row(["**ccci run total**", ...results.map((r) => s(r.run.durationMs))]),
    row(["**wall**", ...results.map((r) => s(r.wallMs))]),
  ];
}

/** Stacks, then (once their containers are gone) volumes, mounts and directories of this benchmark only. */
async function cleanUp() {
  const names = async (args) =>
    (await execa("docker", args, { reject: false, lines: true })).stdout.filter((n) =>
      n.includes(stackSuffix),
    );
  for (const stack of await names(["stack", "ls", "--format", "{{.Name}}"]))
    await execa("docker", ["stack", "rm", stack], { reject: false });
  for (let i = 0; i < 60 && (await names(["ps", "-a", "--format", "{{.Names}}"])).length > 0; i++)
    await new Promise((done) => setTimeout(done, 1000));
  for (const volume of await names(["volume", "ls", "--format", "{{.Name}}"]))
    await execa("docker", ["volume", "rm", "-f", volume], { reject: false });
  const mounts = (await readFile("/proc/self/mounts", "utf8")).split("\n").map((l) => l.split(" ")[1] ?? "");
  for (const mount of mounts.filter((m) => m.startsWith(`${work}/`)).reverse())
    await execa("umount", [mount], { reject: false });
  await rm(work, { recursive: true, force: true });
  const left = [
    ...(await names(["stack", "ls", "--format", "{{.Name}}"])),
    ...(await names(["volume", "ls", "--format", "{{.Name}}"])),
    ...(await names(["secret", "ls", "--format", "{{.Name}}"])),
    ...(await names(["config", "ls", "--format", "{{.Name}}"])),
  ];
  if (left.length > 0) throw new Error(`left behind: ${left.join(", ")}`);
  log(`cleaned up (stacks, volumes, snapshots, ${work})`);
}

async function main() {
  const loadBefore = await loadavg();
  await execa("mkdir", ["-p", stateDir]);
  const prHead = await makeRecipe();
  log(`recipe ${repo}: PR head ${prHead.slice(0, 12)}; base domain ${domain}; load before ${loadBefore}`);
  const colds = [];
  const quicks = [];
  let seeded;
  for (let n = 1; n <= rounds; n++) {
    colds.push(await cold(prHead, n));
    if (n === 1) seeded = await seed();
    quicks.push(await quick(prHead, n));
  }
  const wrongMode = quicks.find(
    (q) => q.run.mode !== "quick" || !q.run.tiers.some((t) => t.name === "reattach"),
  );
  if (wrongMode)
    throw new Error(`${wrongMode.label} did not run on the canonical: ${wrongMode.run.notes.join("; ")}`);
  const dataset = await datasetSize();
  const loadAfter = await loadavg();
  console.log(
    `dataset (the canonical's snapshot): ${dataset}; ${values.docs} documents + ${values.blobs} × ${values["blob-mib"]} MiB`,
  );
  const settle = env.CCCI_SETTLE_SECONDS ?? "ccci's default";
  console.log(
    `CCCI_SETTLE_SECONDS: ${settle}; cold tiers: ${values["cold-tiers"]}`,
  );
  console.log(
    `load average (1/5/15 min) before: ${loadBefore}; after: ${loadAfter}; cores: ${(await execa("nproc")).stdout}\n`,
  );
  console.log(
    [...wallTable(colds, seeded, quicks), "", ...stepTable([...colds, seeded, ...quicks])].join("\n"),
  );
}

let failed = false;
process.on("SIGINT", () => log("interrupted: waiting for the running ccci to tear down, then cleaning up"));
try {
  await main();
} catch (error) {
  failed = true;
  log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanUp().catch((error) => {
    failed = true;
    log(`cleanup: ${error.message}`);
  });
}
process.exitCode = failed ? 1 : 0;
