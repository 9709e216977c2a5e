import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CcciError } from "../../src/errors.js";
import { createDiskGuard } from "../../src/ops/disk-guard.js";
import { parseDiskThreshold } from "../../src/ops/disk-threshold.js";
import { RecordingDocker, scriptedFreeSpace, silentLog, writeJournal } from "./fakes.js";

const dockerRoot = "/var/lib/docker";
const pruneOutput = {
  "container prune": { stdout: "Deleted Containers:\nabc123\ndef456\n\nTotal reclaimed space: 1.5GB" },
  "image prune": { stdout: "Deleted Images:\ndeleted: sha256:0123\n\nTotal reclaimed space: 300MB" },
  "builder prune": { stdout: "Total reclaimed space: 0B" },
};

/** Two disks: docker's (100 GB, hard = 5 GB) and the state dir's (50 GB, hard = 2.5 GB). */
const disks = (dockerFree: number[], stateFree: number[]) => (stateDir: string) => ({
  [dockerRoot]: dockerFree.map((f) => [f, 100, "docker-disk"] as [number, number, string]),
  [stateDir]: stateFree.map((f) => [f, 50, "state-disk"] as [number, number, string]),
});

function guardFor(layout: (stateDir: string) => Parameters<typeof scriptedFreeSpace>[0]) {
  const stateDir = mkdtempSync(join(tmpdir(), "ccci-disk-"));
  const docker = new RecordingDocker(pruneOutput);
  const free = scriptedFreeSpace(layout(stateDir));
  const options = { docker, stateDir, log: silentLog, freeSpace: free.reader, dockerRoot };
  const guard = createDiskGuard({
    ...options,
    soft: parseDiskThreshold("10GB")!,
    hard: parseDiskThreshold("5%")!,
  });
  return { stateDir, docker, guard, free };
}

describe("disk guard", () => {
  it("does nothing while every disk is above the soft threshold", async () => {
    const { guard, docker } = guardFor(disks([40], [30]));
    const report = await guard.ensureRoomForRun();
    expect(report.disks.map((d) => d.level)).toEqual(["ok", "ok"]);
    expect(report.pruned).toEqual([]);
    expect(docker.calls).toEqual([]);
  });

  it("prunes stopped containers, dangling images and build cache when docker's disk is below soft", async () => {
    const { guard, docker } = guardFor(disks([8, 12], [30]));
    const report = await guard.check();
    expect(docker.calls).toEqual([
      ["container", "prune", "--force", "--filter", "until=1h"],
      ["image", "prune", "--force", "--filter", "until=1h"],
      ["builder", "prune", "--force", "--filter", "until=1h"],
    ]);
    expect(report.pruned).toEqual([
      { what: "stopped containers", removed: ["abc123", "def456"], reclaimed: "1.5GB" },
      { what: "dangling images", removed: ["sha256:0123"], reclaimed: "300MB" },
      { what: "build cache", removed: [], reclaimed: "0B" },
    ]);
    expect(report.disks[0]).toMatchObject({ path: dockerRoot, level: "ok", freeBytes: 12 * 1024 ** 3 });
  });

  it("never prunes volumes or tagged images, whatever the pressure", async () => {
    const { guard, docker } = guardFor(disks([1], [1]));
    await guard.check().catch(() => {});
    const all = docker.calls.map((c) => c.join(" "));
    expect(all.some((c) => c.startsWith("volume") || c.startsWith("system"))).toBe(false);
    expect(all.some((c) => / (-a|--all)\b/.test(c))).toBe(false);
  });

  it("removes only finished run dirs when the state dir is below soft", async () => {
    const { guard, docker, stateDir } = guardFor(disks([40], [9, 20]));
    const runDir = (id: string) => join(stateDir, "runs", id);
    for (const id of ["r-passed", "r-errored", "r-running", "r-nojournal"])
      mkdirSync(join(runDir(id), "head"), { recursive: true });
    mkdirSync(join(stateDir, "snapshots", "hello", "current"), { recursive: true });
    writeJournal(stateDir, "r-passed", { stack: "hell-aaaaaa_ci_localhost", state: "passed" });
    writeJournal(stateDir, "r-errored", { stack: "hell-bbbbbb_ci_localhost", state: "errored" });
    writeJournal(stateDir, "r-running", { stack: "hell-cccccc_ci_localhost" });

    const report = await guard.check();

    expect(docker.calls).toEqual([]);
    expect(report.pruned).toEqual([{ what: "finished run dirs", removed: ["r-errored", "r-passed"] }]);
    expect(existsSync(runDir("r-passed")) || existsSync(runDir("r-errored"))).toBe(false);
    expect(existsSync(runDir("r-running")) && existsSync(runDir("r-nojournal"))).toBe(true);
    expect(existsSync(join(stateDir, "snapshots", "hello", "current"))).toBe(true);
    expect(existsSync(join(stateDir, "journal", "r-passed.jsonl"))).toBe(true);
  });

  it("lists a disk shared by docker and the state dir once, with both roles", async () => {
    const { guard } = guardFor((stateDir) => ({
      [dockerRoot]: [[40, 100, "one-disk"]],
      [stateDir]: [[40, 100, "one-disk"]],
    }));
    const report = await guard.measure();
    expect(report.disks).toHaveLength(1);
    expect(report.disks[0]!.roles).toEqual(["docker data root", "state dir"]);
  });

  it("refuses a run below the hard threshold, naming the disk, its free space and the threshold", async () => {
    const { guard } = guardFor(disks([3, 4], [30]));
    const refusal = await guard.ensureRoomForRun().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CcciError);
    expect((refusal as CcciError).code).toBe("DISK_FULL");
    expect((refusal as CcciError).message).toBe(
      "not enough free disk space to start a run: /var/lib/docker (docker data root) has 4.0 GB free of " +
        "100.0 GB, below the hard threshold of 5.0 GB (5% of 100.0 GB) (after pruning stopped containers, " +
        "dangling images, build cache). Free space on that disk, or lower CCCI_DISK_HARD.",
    );
  });

  it("lets the run start when pruning lifts a disk back over the hard threshold", async () => {
    const { guard } = guardFor(disks([3, 6], [30]));
    const report = await guard.ensureRoomForRun();
    expect(report.disks[0]!.level).toBe("soft");
  });

  it("reports but does not refuse when docker cannot say where its data root is", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "ccci-disk-"));
    const docker = new RecordingDocker({
      info: { exitCode: 1, stderr: "Cannot connect to the Docker daemon" },
    });
    const free = scriptedFreeSpace({ [stateDir]: [[30, 50, "state-disk"]] });
    const guard = createDiskGuard({
      docker,
      stateDir,
      soft: parseDiskThreshold("10GB")!,
      hard: parseDiskThreshold("1GB")!,
      log: silentLog,
      freeSpace: free.reader,
    });
    const report = await guard.ensureRoomForRun();
    expect(report.errors).toEqual([
      expect.stringMatching(/^docker data root: .*Cannot connect to the Docker daemon$/),
    ]);
    expect(report.disks.map((d) => d.path)).toEqual([stateDir]);
  });

  it("shares one check between runs that start at the same time", async () => {
    const { guard, docker } = guardFor(disks([8, 12], [30]));
    await Promise.all([guard.check(), guard.check(), guard.check()]);
    expect(docker.callsStartingWith("container", "prune")).toHaveLength(1);
  });
});

describe("disk thresholds", () => {
  it.each([
    ["15%", { kind: "percent", percent: 15 }],
    ["10GB", { kind: "bytes", bytes: 10 * 1024 ** 3 }],
    ["512M", { kind: "bytes", bytes: 512 * 1024 ** 2 }],
    ["2GiB", { kind: "bytes", bytes: 2 * 1024 ** 3 }],
    ["0.5 TB", { kind: "bytes", bytes: 0.5 * 1024 ** 4 }],
  ])("reads %s", (text, expected) => {
    expect(parseDiskThreshold(text)).toEqual(expected);
  });

  it.each(["", "10", "150%", "-5GB", "ten GB", "10PB"])("rejects %j", (text) => {
    expect(parseDiskThreshold(text)).toBeUndefined();
  });
});
