#!/usr/bin/env node
// Benchmark of the warm snapshot store against tar and cp -a on the same >= 1 GiB Docker volume.
// Usage: npm run build && node scripts/bench-snapshot.mjs [--small 20000] [--large 4] [--large-mib 230]
// Needs root and a running Docker (the store mounts overlays). Cleans up everything it made.
import { randomBytes, randomFillSync } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { SnapshotStore } from "../dist/warm/snapshot-store.js";

const { values } = parseArgs({
  options: {
    small: { type: "string", default: "20000" },
    large: { type: "string", default: "4" },
    "large-mib": { type: "string", default: "230" },
    // Only the store's figures (for iterating on the store; the comparison needs the baselines).
    "store-only": { type: "boolean", default: false },
  },
});
const smallCount = Number(values.small);
const largeCount = Number(values.large);
const largeBytes = Number(values["large-mib"]) * 1024 * 1024;

const stack = `ccci-snaptest-bench${randomBytes(2).toString("hex")}`;
const volume = `${stack}_data`;
const work = await mkdtemp(join(tmpdir(), "ccci-snaptest-bench-"));
const sh = (file, args, opts = {}) => execa(file, args, opts);

async function coldCache() {
  await sh("sync");
  await writeFile("/proc/sys/vm/drop_caches", "3\n").catch(() => undefined);
}

async function timed(label, fn) {
  await coldCache();
  const start = performance.now();
  await fn();
  const seconds = (performance.now() - start) / 1000;
  console.error(`  ${label}: ${seconds.toFixed(2)} s`);
  return seconds;
}

async function populate(dir) {
  const buffer = Buffer.alloc(16 * 1024);
  for (let i = 0; i < smallCount; i++) {
    const sub = join(dir, `d${i % 100}`);
    if (i < 100) await mkdir(sub);
    const size = 1024 * (1 + (i % 16));
    randomFillSync(buffer, 0, size);
    await writeFile(join(sub, `f${i}`), buffer.subarray(0, size));
  }
  const big = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < largeCount; i++) {
    const path = join(dir, `large${i}.bin`);
    for (let written = 0; written < largeBytes; written += big.length) {
      randomFillSync(big);
      await writeFile(path, big.subarray(0, Math.min(big.length, largeBytes - written)), { flag: "a" });
    }
  }
}

async function baselines(mountpoint) {
  console.error("tar");
  const tarFile = join(work, "data.tar");
  const tarSnap = await timed("tar -c", () => sh("tar", ["-cf", tarFile, "-C", mountpoint, "."]));
  const tarSync = await timed("tar -c + sync -f", async () => {
    await sh("tar", ["-cf", `${tarFile}.2`, "-C", mountpoint, "."]);
    await sh("sync", ["-f", work]);
  });
  await rm(`${tarFile}.2`);
  await mkdir(join(work, "untar"));
  const tarRestore = await timed("tar -x", () => sh("tar", ["-xf", tarFile, "-C", join(work, "untar")]));
  await rm(join(work, "untar"), { recursive: true });
  await rm(tarFile);

  console.error("cp -a");
  const cpSnap = await timed("cp -a (snapshot)", () => sh("cp", ["-a", mountpoint, join(work, "cp1")]));
  const cpRestore = await timed("cp -a (restore)", () => sh("cp", ["-a", join(work, "cp1"), join(work, "cp2")]));
  await rm(join(work, "cp1"), { recursive: true });
  await rm(join(work, "cp2"), { recursive: true });
  return { tarSnap, tarSync, tarRestore, cpSnap, cpRestore };

}

async function main() {
  const stateDir = join(work, "state");
  // Step marks: where each store operation spends its time (printed after each timed operation).
  let marks = [];
  let origin = performance.now();
  const onStep = (step) => marks.push(`${step} ${((performance.now() - origin) / 1000).toFixed(2)}`);
  const traced = (fn) => async () => {
    marks = [];
    origin = performance.now();
    await fn();
    console.error(`    steps (s from start): ${marks.join(", ")}`);
  };
  const { store } = await SnapshotStore.open({ stateDir, recipe: "bench", stack, onStep });

  // A promotion stages the canonical's volumes in the store before the fresh deploy; the app's first
  // boot fills them. Here the "first boot" is this script writing the dataset into the staged volume.
  const staged = await store.stageFreshVolumes(["data"]);
  const dataDir = store.layout.volumeData(staged, "data");
  console.error(`populating ${volume}: ${smallCount} small files + ${largeCount} x ${values["large-mib"]} MiB`);
  await populate(dataDir);
  const du = String((await sh("du", ["-sb", dataDir])).stdout).split("\t")[0];
  const gib = Number(du) / 1024 ** 3;

  let [tarSnap, tarSync, tarRestore, cpSnap, cpRestore] = [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  if (!values["store-only"]) ({ tarSnap, tarSync, tarRestore, cpSnap, cpRestore } = await baselines(dataDir));

  console.error("ccci snapshot store");
  const storeSnap = await timed("takeSnapshot of the staged volume (digest + syncfs + attach)", traced(() => store.takeSnapshot()));
  await store.idle();

  // Any other volume (a plain Docker volume, or an overlay's merged view) is copied into the store.
  const copyStack = `${stack}c`;
  await sh("docker", ["volume", "create", `${copyStack}_data`]);
  const copyMount = String((await sh("docker", ["volume", "inspect", "-f", "{{.Mountpoint}}", `${copyStack}_data`])).stdout);
  await sh("rmdir", [copyMount]);
  await sh("cp", ["-a", store.layout.volumeData(staged, "data"), copyMount]);
  const { store: copyStore } = await SnapshotStore.open({ stateDir, recipe: "benchcopy", stack: copyStack, onStep });
  const copySnap = await timed("takeSnapshot of a plain volume (cp -a + digest + syncfs + attach)", traced(() => copyStore.takeSnapshot()));
  await copyStore.idle();
  await sh("docker", ["volume", "rm", "-f", `${copyStack}_data`]);

  // The app rewrites some data: 2000 small files and one large file land in the scratch layer.
  const appWrites = () => sh("docker", ["run", "--rm", "-v", `${volume}:/data`, "ccci/busybox:local", "sh", "-c",
    "for i in $(seq 0 1999); do echo changed > /data/d$((i % 100))/f$i; done; echo x >> /data/large0.bin"]);
  await appWrites();
  const verifyOnly = await timed("fast verify alone (stat index of every entry)", () => store.verify("fast"));
  await appWrites();
  const inline = await timed("restore, fast verify inline", traced(() => store.restore("fast")));
  await store.idle();
  // What a quick run does: start the verification when the run fails, undeploy meanwhile, then restore.
  await appWrites();
  await coldCache();
  store.verifyAhead();
  const undeployStandIn = performance.now();
  await sh("docker", ["run", "--rm", "ccci/busybox:local", "sleep", "1"]);
  console.error(`  (a container run while the verification runs ahead: ${((performance.now() - undeployStandIn) / 1000).toFixed(2)} s)`);
  const start = performance.now();
  await traced(() => store.restore("fast"))();
  const ahead = (performance.now() - start) / 1000;
  console.error(`  restore, fast verify done ahead: ${ahead.toFixed(2)} s`);
  await store.idle();
  const storeDeep = await timed("restore with deep verify (re-hash every byte)", () => store.restore("deep"));
  await store.idle();

  const row = (name, snap, restore) => `${name.padEnd(46)}${snap.toFixed(2).padStart(10)} s${restore.toFixed(2).padStart(10)} s`;
  console.log(`\nvolume: ${gib.toFixed(2)} GiB in ${smallCount + largeCount} files (cold page cache before each step)`);
  console.log(`${"".padEnd(46)}${"snapshot".padStart(12)}${"restore".padStart(12)}`);
  console.log(row("ccci store: staged snapshot / verified ahead", storeSnap, ahead));
  console.log(row("ccci store: staged snapshot / verify inline", storeSnap, inline));
  console.log(row("ccci store: copy snapshot / deep verify", copySnap, storeDeep));
  console.log(row("tar -c / tar -x", tarSnap, tarRestore));
  console.log(row("tar -c + sync -f (durable) / tar -x", tarSync, tarRestore));
  console.log(row("cp -a / cp -a", cpSnap, cpRestore));
  console.log(`fast verify alone: ${verifyOnly.toFixed(2)} s`);
  console.log(`store/tar: staged snapshot ${(storeSnap / tarSnap).toFixed(2)}x tar -c (${(storeSnap / tarSync).toFixed(2)}x durable tar), copy snapshot ${(copySnap / tarSnap).toFixed(2)}x`);
  console.log(`store/tar: restore ${(ahead / tarRestore).toFixed(3)}x tar -x verified ahead, ${(inline / tarRestore).toFixed(3)}x verify inline`);
}

try {
  await main();
} finally {
  for (const name of [volume, `${stack}c_data`]) await sh("docker", ["volume", "rm", "-f", name], { reject: false });
  await rm(work, { recursive: true, force: true });
}
