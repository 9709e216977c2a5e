import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

/** Real Docker volumes, containers and stacks for the snapshot e2e tests, all named `ccci-snaptest-*`. */

export const image = "ccci/busybox:local";

export async function docker(...args: string[]): Promise<string> {
  return String((await execa("docker", args)).stdout);
}

export interface SnapFixture {
  stack: string;
  stateDir: string;
  volumes: string[];
  cleanup(): Promise<void>;
}

export async function createFixture(volumeKeys = ["data", "db"]): Promise<SnapFixture> {
  const stack = `ccci-snaptest-${randomBytes(3).toString("hex")}`;
  const stateDir = await mkdtemp(join(tmpdir(), "ccci-snaptest-"));
  const volumes = volumeKeys.map((key) => `${stack}_${key}`);
  for (const volume of volumes) await docker("volume", "create", volume);
  return {
    stack,
    stateDir,
    volumes,
    async cleanup() {
      await execa("docker", ["stack", "rm", stack], { reject: false });
      await waitUntilGone(stack);
      const left = (await docker("volume", "ls", "-q", "--filter", `name=${stack}_`))
        .split("\n")
        .filter(Boolean);
      for (const volume of left) await execa("docker", ["volume", "rm", "-f", volume], { reject: false });
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Runs a shell script in a throwaway busybox container with the given volumes mounted at /v/<key>. */
export async function inVolumes(volumes: string[], script: string): Promise<string> {
  const mounts = volumes.flatMap((v) => ["-v", `${v}:/v/${v.split("_").pop()}`]);
  const result = await execa("docker", [
    "run",
    "--rm",
    "--name",
    `ccci-snaptest-${randomBytes(3).toString("hex")}`,
    ...mounts,
    image,
    "sh",
    "-euc",
    script,
  ]);
  return String(result.stdout);
}

/** Every attribute the store promises to keep, as an independent oracle (busybox, not our digest code). */
export const listingScript = `cd /v && find . -mindepth 1 | sort | while read -r p; do
  if [ -L "$p" ]; then t="-> $(readlink "$p")"; elif [ -f "$p" ]; then t=$(md5sum < "$p"); elif [ -p "$p" ]; then t=fifo; else t=""; fi
  echo "$p $(stat -c '%A %u %g %Y' "$p") $t"
done`;

/** Files of every kind: modes incl. setuid, owners, symlinks (relative, absolute, dangling), empty dirs, a fifo, hard links. */
export const populateScript = `
cd /v/data
mkdir -p www empty/nested-empty secret
echo "marker $(date +%s%N)" > www/index.html
head -c 3000000 /dev/urandom > www/large.bin
printf 'x' > "name with spaces"
echo s > secret/key && chmod 600 secret/key && chmod 700 secret && chown -R 999:998 secret
echo tool > tool && chmod 4755 tool
echo owned > owned && chown 1234:5678 owned
ln -s www/index.html rel-link && ln -s /etc/passwd abs-link && ln -s nowhere dangling
mkfifo pipe
ln owned hardlink
touch -d '2001-02-03 04:05:06' www/index.html empty
chmod 750 /v/data && chown 33:33 /v/data
cd /v/db && seq 1 2000 > rows && mkdir -p base/1 && echo pg > base/1/PG_VERSION
`;

export async function waitUntilGone(stack: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const services = await docker(
      "service",
      "ls",
      "-q",
      "--filter",
      `label=com.docker.stack.namespace=${stack}`,
    );
    const containers = await docker("ps", "-aq", "--filter", `label=com.docker.stack.namespace=${stack}`);
    if (!services && !containers) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`stack ${stack} did not go away`);
}

/** Deploys a one-service stack whose task mounts the `data` volume and appends to it, then idles. */
export async function deployStack(stack: string, dir: string): Promise<void> {
  const compose = `version: "3.8"
services:
  app:
    image: ${image}
    command: ["sh", "-c", "echo deployed >> /data/www/deploy.log; exec sleep 3600"]
    volumes: [data:/data]
volumes:
  data:
`;
  const file = join(dir, `${stack}.yml`);
  await writeFile(file, compose);
  await docker("stack", "deploy", "--detach=true", "-c", file, stack);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const running = await docker(
      "ps",
      "-q",
      "--filter",
      `label=com.docker.stack.namespace=${stack}`,
      "--filter",
      "status=running",
    );
    if (running) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`stack ${stack} did not start`);
}
