import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DockerCli } from "../../src/deploy/docker.js";
import { runHook } from "../../src/engine/backup/backup-tiers.js";
import type { RunContext } from "../../src/engine/context.js";
import { Redactor } from "../../src/redact.js";

/** A docker whose `cp` writes `bytes` bytes of tar to stdout and whose `exec` runs the hook on the host's sh. */
function fakeDocker(bytes: number): string {
  const bin = join(mkdtempSync(join(tmpdir(), "ccci-docker-")), "docker");
  writeFileSync(
    bin,
    `#!/bin/sh\ncase "$1" in\n  cp) head -c ${bytes} /dev/zero ;;\n  exec) shift 2; exec "$@" ;;\nesac\n`,
  );
  chmodSync(bin, 0o755);
  return bin;
}

const MiB = 1024 * 1024;

describe("the backup tier's bounds", () => {
  it("a copy just inside CCCI_BACKUP_MAX_MIB is kept whole", async () => {
    const tar = join(mkdtempSync(join(tmpdir(), "ccci-backup-")), "app.tar");
    const problem = await new DockerCli(fakeDocker(2 * MiB)).copyOut("c", "/data", tar, undefined, 2 * MiB);
    expect(problem).toBeUndefined();
    expect(statSync(tar).size).toBe(2 * MiB);
  });

  it("a copy over CCCI_BACKUP_MAX_MIB stops, names the bound and leaves no file", async () => {
    const tar = join(mkdtempSync(join(tmpdir(), "ccci-backup-")), "app.tar");
    const problem = await new DockerCli(fakeDocker(50 * MiB)).copyOut("c", "/data", tar, undefined, 1 * MiB);
    expect(problem).toMatch(/larger than 1 MiB \(CCCI_BACKUP_MAX_MIB\)/);
    expect(existsSync(tar)).toBe(false);
  });

  it("a hook that outlives CCCI_BACKUP_HOOK_TIMEOUT is stopped and reported as timed out", async () => {
    const ctx = {
      docker: new DockerCli(fakeDocker(0)),
      settings: { CCCI_BACKUP_HOOK_TIMEOUT: 1 },
      signal: new AbortController().signal,
      redactor: new Redactor(),
    } as unknown as RunContext;
    const started = Date.now();
    const failed = await runHook(ctx, "c", "sleep 30", "backupbot.backup.pre-hook");
    expect(failed).toMatch(/backupbot\.backup\.pre-hook "sleep 30" failed \(timed out\)/);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await runHook(ctx, "c", "true", "backupbot.backup.pre-hook")).toBeUndefined();
  });
});
