import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AssertResult, Run } from "../../src/engine/run.js";
import { ccci, cliPath, fixture, tempStateDir } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";

/**
 * Issue 13's assert half: a recipe whose tests/ccci/ is written by an attacker, run cold on the real swarm
 * with ccci's own secrets in its environment and on disk. Each hostile assert below tries one way out; it
 * must get nothing (then it says "contained" and exits 0) or be stopped with the reason named. The run
 * tears down with nothing left: no stack object, no sandbox container, no host process of the asserts.
 */
const tag = randomBytes(3).toString("hex");
const secrets = {
  webhook: `webhook-secret-${tag}-0f0f0f0f`,
  key: `-----BEGIN PRIVATE KEY----- hostile-${tag}`,
  keycloak: `keycloak-admin-${tag}-pw`,
};
const secretDir = mkdtempSync(join(tmpdir(), "ccci-hostile-secrets-"));
const keyPath = join(secretDir, "app.pem");
const keycloakPasswordPath = join(secretDir, "keycloak-admin-password");
const victim = `hvic-${tag}_ci_localhost`;
/** Unique `sleep` durations: the host's process table shows whether a sandbox's process outlived it. */
const marks = {
  orphan: `913.${tag.slice(0, 2)}1`,
  daemon: `914.${tag.slice(0, 2)}2`,
  term: `915.${tag.slice(0, 2)}3`,
};

type Expect = { passed: boolean; detail: RegExp };
interface Case {
  name: string;
  what: string;
  script: string;
  expect: Expect;
}

const contained = (why: string): Expect => ({ passed: true, detail: new RegExp(`contained: ${why}`) });
const stopped: Expect = {
  passed: false,
  detail: /stopped after 4 s \(CCCI_ASSERT_TIMEOUT\); the sandbox was killed/,
};

const cases: Case[] = [
  {
    name: "10-env",
    what: "reads the bot's environment (WEBHOOK_SECRET, PRIVATE_KEY_PATH, the admin password file)",
    script: `if env | grep -E '^(WEBHOOK_SECRET|PRIVATE_KEY|APP_ID|CCCI_KEYCLOAK|CCCI_STATE_DIR|CCCI_DOCKER)' ; then echo LEAKED; exit 1; fi
cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | grep -E 'WEBHOOK|PRIVATE_KEY' && { echo LEAKED; exit 1; }
echo "contained: only $(env | grep -c '^CCCI_') CCCI_ variables"`,
    expect: contained("only \\d+ CCCI_ variables"),
  },
  {
    name: "11-key-file",
    what: "reads the app's private key file (PRIVATE_KEY_PATH)",
    script: `cat '${keyPath}' 2>/dev/null && { echo LEAKED; exit 1; }
echo "contained: no ${keyPath}"`,
    expect: contained("no /"),
  },
  {
    name: "12-keycloak-password",
    what: "reads the Keycloak admin password file",
    script: `cat '${keycloakPasswordPath}' /work/main/.state/keycloak.env 2>/dev/null && { echo LEAKED; exit 1; }
echo "contained: no admin password file"`,
    expect: contained("no admin password file"),
  },
  {
    name: "13-docker-socket",
    what: "looks for the Docker socket and a docker CLI",
    script: `for s in /var/run/docker.sock /run/docker.sock; do [ -e "$s" ] && { echo "LEAKED: $s"; exit 1; }; done
command -v docker && { echo LEAKED; exit 1; }
echo "contained: no docker socket, no docker"`,
    expect: contained("no docker socket, no docker"),
  },
  {
    name: "14-exec-other-stack",
    what: "asks ccci-exec for another stack's service",
    script: `out=$(ccci-exec ${victim}_app -- id 2>&1) && { echo "LEAKED: $out"; exit 1; }
echo "contained: $out"`,
    expect: contained('ccci-exec: "hvic-[0-9a-f]+_ci_localhost_app" is not a service of this run\'s stack'),
  },
  {
    name: "15-exec-container-id",
    what: "asks ccci-exec for a container by id (its own app's, which it may not name that way)",
    script: `id=$(cat /proc/self/cgroup /etc/hostname 2>/dev/null | grep -o '[0-9a-f]\\{12,64\\}' | head -1)
out=$(ccci-exec "\${id:-c0ffee0c0ffee}" -- id 2>&1) && { echo "LEAKED: $out"; exit 1; }
echo "contained: $out"`,
    expect: contained("ccci-exec: .* is not a service of this run's stack"),
  },
  {
    name: "16-exec-option",
    what: "smuggles docker exec options through ccci-exec",
    script: `out=$(ccci-exec app -- --privileged -u root sh 2>&1) && { echo "LEAKED: $out"; exit 1; }
echo "contained: $out"`,
    expect: contained('ccci-exec: the command must not start with "-"'),
  },
  {
    name: "17-host-files",
    what: "reads files outside its checkout (/etc/shadow, the host's /work, /root)",
    script: `for f in /etc/shadow /work/main/package.json /root/.bashrc '${secretDir}'; do [ -e "$f" ] && { echo "LEAKED: $f"; exit 1; }; done
echo "contained: no host files"`,
    expect: contained("no host files"),
  },
  {
    name: "18-write",
    what: "writes to its checkout and to the image's root",
    script: `touch /recipe/pwned 2>/dev/null && { echo LEAKED; exit 1; }
touch /bin/pwned 2>/dev/null && { echo LEAKED; exit 1; }
echo "contained: read-only checkout and root"`,
    expect: contained("read-only checkout and root"),
  },
  {
    name: "19-privileges",
    what: "runs as root or with capabilities",
    script: `[ "$(id -u)" = 0 ] && { echo LEAKED; exit 1; }
grep -q '^CapEff:[[:space:]]*0000000000000000$' /proc/self/status || { echo LEAKED; exit 1; }
echo "contained: uid $(id -u), no capabilities"`,
    expect: contained("uid 10001, no capabilities"),
  },
  {
    name: "20-host-loopback",
    what: "reaches the host's loopback services (the Keycloak admin on 127.0.0.1:18080)",
    script: `nc -z -w 2 127.0.0.1 18080 2>/dev/null && { echo LEAKED; exit 1; }
echo "contained: 127.0.0.1 is the app's"`,
    expect: contained("127.0.0.1 is the app's"),
  },
  {
    name: "30-daemon",
    what: "forks a daemon and exits at once",
    script: `setsid sleep ${marks.daemon} >/dev/null 2>&1 < /dev/null &
echo "contained: the sandbox ends with its assert"`,
    expect: contained("the sandbox ends with its assert"),
  },
  {
    name: "31-outlives-timeout",
    what: "forks a setsid process that would outlive its timeout, and waits past it",
    script: `setsid sleep ${marks.orphan} &
sleep 30`,
    expect: stopped,
  },
  {
    name: "32-ignores-sigterm",
    what: "ignores SIGTERM",
    script: `trap '' TERM
while :; do sleep ${marks.term}; done`,
    expect: stopped,
  },
  {
    name: "33-flood",
    what: "floods its output",
    script: `yes 'flooding the report' | head -c 20000000
echo; echo the last line`,
    expect: { passed: true, detail: /the last line\n\(output truncated to the last 16 KiB\)$/ },
  },
  {
    name: "34-memory",
    what: "eats memory",
    script: `awk 'BEGIN { s = "x"; while (1) s = s s }'`,
    expect: { passed: false, detail: /exit 137: out of memory at 128 MiB/ },
  },
  {
    name: "35-processes",
    what: "forks hundreds of processes",
    script: `(n=0; while [ $n -lt 400 ]; do sleep 2 & n=$((n+1)); echo $n > /tmp/n; done) 2>/dev/null
sleep 2.5; n=$(cat /tmp/n)
[ "$n" -ge 400 ] && { echo LEAKED; exit 1; }
echo "contained: fork refused after $n processes"`,
    expect: contained("fork refused after 2\\d\\d processes"),
  },
  {
    name: "36-disk",
    what: "fills its /tmp",
    script: `head -c 100000000 /dev/zero > /tmp/big 2>/dev/null && { echo LEAKED; exit 1; }
echo "contained: /tmp holds $(($(wc -c < /tmp/big) / 1048576)) MiB"`,
    expect: contained("/tmp holds 64 MiB"),
  },
];

/** Lines of the host's process table naming one of the marks (never our own pgrep). */
function hostProcesses(): string[] {
  const out = execSync("ps -eo pid,args", { encoding: "utf8" });
  return out
    .split("\n")
    .filter((line) => Object.values(marks).some((mark) => line.includes(`sleep ${mark}`)));
}

function hostileRecipe(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "ccci-hostile-")), "hostile");
  cpSync(fixture("hello"), dir, { recursive: true });
  for (const c of cases) {
    const path = join(dir, "tests/ccci", c.name);
    writeFileSync(path, `#!/bin/sh\n# ${c.what}\n${c.script}\n`, { mode: 0o755 });
  }
  return dir;
}

/** Symlinked asserts: each points out of the checkout. */
function symlinkRecipe(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "ccci-hostile-")), "hostile");
  cpSync(fixture("hello"), dir, { recursive: true });
  const tests = join(dir, "tests/ccci");
  mkdirSync(tests, { recursive: true });
  symlinkSync("/usr/bin/env", join(tests, "40-env"));
  symlinkSync("/etc/shadow", join(tests, "41-shadow"));
  symlinkSync("../../../../../../../../etc/passwd", join(tests, "42-escape"));
  symlinkSync(keyPath, join(tests, "43-key"));
  return dir;
}

const hostileEnv = () => ({
  WEBHOOK_SECRET: secrets.webhook,
  PRIVATE_KEY_PATH: keyPath,
  APP_ID: "12345",
  CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE: keycloakPasswordPath,
  CCCI_ASSERT_TIMEOUT: "4",
  CCCI_ASSERT_OUTPUT_KIB: "16",
  // The 64 MB /tmp is memory too: a limit above it lets 36-disk fill /tmp and 34-memory still hit it.
  CCCI_ASSERT_MEMORY_MB: "128",
});

const noSecretIn = (text: string) => {
  for (const value of Object.values(secrets)) expect(text).not.toContain(value);
};

async function sandboxesOf(stack: string): Promise<string[]> {
  const { stdout } = await execa("docker", ["ps", "-aq", "--filter", `label=ccci.sandbox.stack=${stack}`]);
  return stdout.split("\n").filter(Boolean);
}

describe("hostile custom asserts on the real swarm: each contained, the reason named, nothing left", () => {
  let run: Run | undefined;
  let raw = "";

  beforeAll(async () => {
    writeFileSync(keyPath, `${secrets.key}\n`, { mode: 0o600 });
    writeFileSync(keycloakPasswordPath, `${secrets.keycloak}\n`, { mode: 0o600 });
    // Another stack's service, as another run's would be.
    await execa("docker", [
      "service",
      "create",
      "--quiet",
      "--detach",
      "--name",
      `${victim}_app`,
      "--label",
      `com.docker.stack.namespace=${victim}`,
      "ccci/busybox:local",
      "sleep",
      "3600",
    ]);
    const result = await ccci(["run", hostileRecipe(), "--json"], hostileEnv());
    raw = result.stdout + result.stderr;
    run = result.run;
  });

  afterAll(async () => {
    await execa("docker", ["service", "rm", `${victim}_app`], { reject: false });
  });

  const byName = (name: string): AssertResult | undefined =>
    run?.asserts.find((a) => a.name === `custom:${name}`);

  it.each(cases.map((c) => [c.name, c.what, c] as const))("%s: %s", (_name, _what, c) => {
    const result = byName(c.name);
    expect(result, `custom:${c.name} ran`).toBeDefined();
    expect(result!.detail).toMatch(c.expect.detail);
    expect(result!.detail).not.toContain("LEAKED");
    expect(result!.passed, result!.detail).toBe(c.expect.passed);
  });

  it("a stopped assert returned at its timeout, not when its children ended", () => {
    for (const name of ["31-outlives-timeout", "32-ignores-sigterm"])
      expect(byName(name)!.durationMs).toBeLessThan(9_000);
  });

  it("the run fails on the stopped asserts, names them, and no secret of ccci's appears anywhere", () => {
    expect(run?.state).toBe("failed");
    expect(run!.reason).toContain("custom:31-outlives-timeout");
    noSecretIn(raw);
  });

  it("tears down with nothing left: no stack object, no sandbox, no process of the asserts on the host", async () => {
    expect(run!.steps.find((s) => s.name === "teardown")).toMatchObject({
      status: "passed",
      detail: "clean",
    });
    expect(await leftovers(run!.stack!)).toEqual([]);
    expect(await sandboxesOf(run!.stack!)).toEqual([]);
    expect(hostProcesses()).toEqual([]);
    // The victim was never touched.
    const { stdout } = await execa("docker", [
      "service",
      "ls",
      "--filter",
      `name=${victim}_app`,
      "--format",
      "{{.Replicas}}",
    ]);
    expect(stdout.trim()).toBe("1/1");
  });

  it("symlinks out of the checkout (to /usr/bin/env, /etc/shadow, ../../etc/passwd, the key file) are refused", async () => {
    const result = await ccci(["run", symlinkRecipe(), "--json"], hostileEnv());
    noSecretIn(result.stdout + result.stderr);
    const symlinked = result.run!;
    expect(symlinked.state).not.toBe("passed");
    // Refused where ccci reads the recipe, or where it runs the assert: either way named, nothing run.
    const refusals = [symlinked.reason ?? "", ...symlinked.asserts.map((a) => a.detail)].join("\n");
    expect(refusals).toMatch(/symlink/);
    const linked = symlinked.asserts.filter((x) => /^custom:4\d-/.test(x.name));
    // Refused per assert (4 of them), unless ccci refused the whole checkout first.
    if (!/symlink/.test(symlinked.reason ?? "")) expect(linked).toHaveLength(4);
    for (const a of linked) {
      expect(a.passed).toBe(false);
      expect(a.detail).toMatch(/is a symlink that leaves the checkout; ccci does not follow it/);
    }
    if (symlinked.stack) expect(await leftovers(symlinked.stack)).toEqual([]);
  });

  it("a cancel (SIGTERM to ccci) during an assert kills its sandbox at once, and the run still tears down", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "ccci-hostile-")), "cancelme");
    cpSync(fixture("hello"), dir, { recursive: true });
    writeFileSync(join(dir, "tests/ccci/50-waits"), `#!/bin/sh\ntrap '' TERM\nsleep ${marks.term}\n`, {
      mode: 0o755,
    });
    const child = execa("node", [cliPath, "run", dir], {
      reject: false,
      env: { CCCI_STATE_DIR: tempStateDir(), LOG_LEVEL: "warn", ...hostileEnv(), CCCI_ASSERT_TIMEOUT: "300" },
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const stackOf = () =>
      /plan head \(.*\) - ([a-z0-9-]+)\.ci\.localhost/.exec(output)?.[1]?.concat("_ci_localhost");
    let sandbox: string[] = [];
    for (let i = 0; i < 240 && sandbox.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const stack = stackOf();
      if (stack) sandbox = await sandboxesOf(stack);
    }
    expect(sandbox, output).toHaveLength(1);
    const killedAt = Date.now();
    child.kill("SIGTERM");
    const result = await child;
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(String(result.stdout)).toMatch(/CANCELLED/);
    expect(String(result.stdout)).toMatch(/ok {3}teardown .* - clean/);
    expect(await sandboxesOf(stackOf()!)).toEqual([]);
    expect(await leftovers(stackOf()!)).toEqual([]);
    expect(hostProcesses()).toEqual([]);
  });
});
