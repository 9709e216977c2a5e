import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { diskCommand } from "../../src/cli/disk-command.js";
import { DockerCli } from "../../src/deploy/docker.js";
import { CcciError } from "../../src/errors.js";
import { createDiskGuard } from "../../src/ops/disk-guard.js";
import { pruneDocker } from "../../src/ops/disk-prune.js";
import { formatBytes, parseDiskThreshold } from "../../src/ops/disk-threshold.js";
import { randomHex } from "../../src/recipe/naming.js";
import { writeJournal } from "../ops/fakes.js";

const log = pino({ level: "silent" });
const docker = new DockerCli();
const mib = (n: number) => `${n}M`;
const fill = (path: string, size: string) => execa("fallocate", ["-l", size, path]);
const freeBytes = async (path: string) => {
  const { stdout } = await execa("df", ["--output=avail", "-B1", path]);
  return Number(stdout.split("\n")[1]);
};
const MiB = 1024 ** 2;

/**
 * A real 64 MiB ext4 filesystem on a loop device as the state dir: free space is what statfs says, and
 * pruning has to give it back for real. The docker prunes are scoped to this test's own label, because
 * other suites share this engine.
 */
describe("disk guard on a real filesystem", () => {
  const work = mkdtempSync(join(tmpdir(), "ccci-disk-e2e-"));
  const stateDir = join(work, "state");
  const tag = `disk-${randomHex()}`;

  beforeAll(async () => {
    await execa("truncate", ["-s", "64M", join(work, "fs.img")]);
    await execa("mkfs.ext4", ["-q", "-F", join(work, "fs.img")]);
    mkdirSync(stateDir);
    await execa("mount", ["-o", "loop", join(work, "fs.img"), stateDir]);
  });

  afterAll(async () => {
    await execa("umount", [stateDir], { reject: false });
    rmSync(work, { recursive: true, force: true });
  });

  const guard = () =>
    createDiskGuard({
      docker,
      stateDir,
      soft: parseDiskThreshold("30M")!,
      hard: parseDiskThreshold("10M")!,
      log,
      pruneFilters: [`label=ccci.test=${tag}`],
    });

  it("below the soft threshold, prunes finished run dirs and nothing else", async () => {
    for (const id of ["r-finished", "r-live"]) mkdirSync(join(stateDir, "runs", id), { recursive: true });
    mkdirSync(join(stateDir, "snapshots", "hello"), { recursive: true });
    writeJournal(stateDir, "r-finished", { stack: "hell-aaaaaa_ci_localhost", state: "failed" });
    writeJournal(stateDir, "r-live", { stack: "hell-bbbbbb_ci_localhost" });
    await fill(join(stateDir, "runs", "r-finished", "checkout.bin"), mib(30));
    await fill(join(stateDir, "runs", "r-live", "checkout.bin"), mib(2));
    await fill(join(stateDir, "snapshots", "hello", "volume.bin"), mib(2));
    const before = await freeBytes(stateDir);
    expect(before).toBeLessThan(30 * MiB);

    const report = await guard().check();

    const stateDisk = report.disks.find((d) => d.roles.includes("state dir"))!;
    expect(stateDisk.path).toBe(stateDir);
    expect(report.pruned).toContainEqual({ what: "finished run dirs", removed: ["r-finished"] });
    expect(stateDisk.level).toBe("ok");
    expect(await freeBytes(stateDir)).toBeGreaterThanOrEqual(before + 29 * MiB);
    expect(existsSync(join(stateDir, "runs", "r-finished"))).toBe(false);
    expect(existsSync(join(stateDir, "runs", "r-live", "checkout.bin"))).toBe(true);
    expect(existsSync(join(stateDir, "snapshots", "hello", "volume.bin"))).toBe(true);
  });

  it("below the hard threshold after pruning, refuses the run naming the disk and the figures", async () => {
    await fill(join(stateDir, "snapshots", "hello", "more.bin"), mib(40));
    const free = await freeBytes(stateDir);
    expect(free).toBeLessThan(10 * MiB);

    const refusal = await guard()
      .ensureRoomForRun()
      .catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(CcciError);
    expect((refusal as CcciError).code).toBe("DISK_FULL");
    const message = (refusal as CcciError).message;
    expect(message).toContain(`${stateDir} (state dir) has ${formatBytes(free)} free of `);
    expect(message).toMatch(/MB free of \d+\.\d MB, below the hard threshold of 10\.0 MB/);
    expect(existsSync(join(stateDir, "snapshots", "hello", "more.bin"))).toBe(true);
  });
  it("`ccci disk` shows the full disk and exits 1 (measuring only: nothing is pruned)", async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((text: string) => printed.push(text));
    const env = {
      CCCI_STATE_DIR: stateDir,
      CCCI_DISK_SOFT: "30M",
      CCCI_DISK_HARD: "10M",
      LOG_LEVEL: "silent" as const,
    };
    try {
      expect(await diskCommand([], env)).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(printed.join("\n")).toMatch(
      new RegExp(
        `^HARD  ${stateDir} \\(state dir\\): \\d+\\.\\d MB free of \\d+\\.\\d MB; prune below 30\\.0 MB, refuse runs below 10\\.0 MB$`,
        "m",
      ),
    );
  });
});

describe("docker prunes on the real engine", () => {
  const tag = `disk-${randomHex()}`;
  const label = `ccci.test=${tag}`;
  const made = { container: `ccci-${tag}`, volume: `ccci-${tag}`, image: `ccci/${tag}:kept` };

  afterAll(async () => {
    await execa("docker", ["rm", "-f", made.container], { reject: false });
    await execa("docker", ["volume", "rm", "-f", made.volume], { reject: false });
    await execa("docker", ["rmi", "-f", made.image], { reject: false });
  });

  it("removes stopped containers and dangling images, keeps tagged images and volumes", async () => {
    await execa("docker", ["volume", "create", "--label", label, made.volume]);
    await execa("docker", [
      "create",
      "--label",
      label,
      "--name",
      made.container,
      "ccci/busybox:local",
      "true",
    ]);
    // `docker commit` without a name leaves an untagged (dangling) image carrying our label.
    const { stdout: danglingId } = await execa("docker", [
      "commit",
      "--change",
      `LABEL ${label}`,
      made.container,
    ]);
    const { stdout: keptId } = await execa("docker", [
      "commit",
      "--change",
      `LABEL ${label}`,
      made.container,
      made.image,
    ]);

    const records = await pruneDocker(docker, { filters: [`label=${label}`] });

    expect(records.map((r) => [r.what, r.error])).toEqual([
      ["stopped containers", undefined],
      ["dangling images", undefined],
      ["build cache", undefined],
    ]);
    expect(records[0]!.removed).toHaveLength(1);
    const exists = async (...args: string[]) =>
      (await execa("docker", args, { reject: false })).exitCode === 0;
    expect(await exists("container", "inspect", made.container)).toBe(false);
    expect(await exists("image", "inspect", danglingId.trim())).toBe(false);
    expect(await exists("image", "inspect", keptId.trim())).toBe(true);
    expect(await exists("volume", "inspect", made.volume)).toBe(true);
  });
});
