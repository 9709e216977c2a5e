import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DockerCli } from "../../../src/deploy/docker.js";
import { LOG_EXCERPT_BYTES, logExcerpt } from "../../../src/engine/asserts/logs.js";
import { Redactor } from "../../../src/redact.js";

describe("logExcerpt", () => {
  it("keeps the tail of a service's log flood and says so", async () => {
    const bin = join(mkdtempSync(join(tmpdir(), "ccci-logs-")), "docker");
    // 40 "lines" of 10 KB each: what --tail 40 of a noisy app can be.
    writeFileSync(
      bin,
      '#!/bin/sh\ncase "$2" in logs) yes "$(head -c 10000 /dev/zero | tr "\\\\0" x)" | head -n 40; echo last-line ;; esac\n',
    );
    chmodSync(bin, 0o755);
    const excerpt = await logExcerpt(new DockerCli(bin), ["s_app"], new Redactor());
    expect(excerpt).toContain("last 40 log lines (truncated to the last 16 KiB)");
    expect(excerpt.endsWith("last-line")).toBe(true);
    expect(excerpt.length).toBeLessThan(LOG_EXCERPT_BYTES + 1024);
  });
});
