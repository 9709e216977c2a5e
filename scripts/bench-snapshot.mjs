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

async function main() {
  await sh("docker", ["volume", "create", volume]);
  const mountpoint = String((await sh("docker", ["volume", "inspect", "-f", "{{.Mountpoint}}", volume])).stdout);
  console.error(`populating ${volume}: ${smallCount} small files + ${largeCount} x ${values["large-mib"]} MiB`);
  await populate(mountpoint);
  const du = String((await sh("du", ["-sb", mountpoint])).stdout).split("\t")[0];
  const gib = Number(du) / 1024 ** 3;

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

  console.error("ccci snapshot store");
  const stateDir = join(work, "state");
  const { store } = await SnapshotStore.open({ stateDir, recipe: "bench", stack });
  const storeSnap = await timed("takeSnapshot (copy + digest + syncfs + attach)", () => store.takeSnapshot());
  await store.idle();
  // The app rewrites some data: 2000 small files and one large file land in the scratch layer.
  await sh("docker", ["run", "--rm", "-v", `${volume}:/data`, "ccci/busybox:local", "sh", "-c",
    "for i in $(seq 0 1999); do echo changed > /data/d$((i % 100))/f$i; done; echo x >> /data/large0.bin"]);
  const storeRestore = await timed("restore (fast verify + new scratch layer)", () => store.restore("fast"));
  await store.idle();
  const storeDeep = await timed("restore with deep verify (re-hash every byte)", () => store.restore("deep"));
  await store.idle();

  const row = (name, snap, restore) => `${name.padEnd(34)}${snap.toFixed(2).padStart(10)} s${restore.toFixed(2).padStart(10)} s`;
  console.log(`\nvolume: ${gib.toFixed(2)} GiB in ${smallCount + largeCount} files (cold page cache before each step)`);
  console.log(`${"".padEnd(34)}${"snapshot".padStart(12)}${"restore".padStart(12)}`);
  console.log(row("ccci store (overlay)", storeSnap, storeRestore));
  console.log(row("ccci store, restore deep-verified", storeSnap, storeDeep));
  console.log(row("tar -c / tar -x", tarSnap, tarRestore));
  console.log(row("tar -c + sync -f (durable)", tarSync, tarRestore));
  console.log(row("cp -a / cp -a", cpSnap, cpRestore));
  console.log(`store/tar: snapshot ${(storeSnap / tarSnap).toFixed(2)}x (vs durable tar ${(storeSnap / tarSync).toFixed(2)}x), restore ${(storeRestore / tarRestore).toFixed(3)}x`);
}

try {
  await main();
} finally {
  await sh("docker", ["volume", "rm", "-f", volume], { reject: false });
  await rm(work, { recursive: true, force: true });
}
