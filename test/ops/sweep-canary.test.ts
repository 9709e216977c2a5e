import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  bundledCanaryPath,
  canaryRequest,
  defaultCanary,
  embeddedCanaryFiles,
} from "../../src/ops/sweep-canary.js";

const stateDir = mkdtempSync(join(tmpdir(), "ccci-sweep-canary-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe("the sweep canary", () => {
  it("embeds exactly the bundled recipe's files (packaged installs ship no test/)", () => {
    for (const [name, text] of Object.entries(embeddedCanaryFiles()))
      expect(text, name).toBe(readFileSync(join(bundledCanaryPath(), name), "utf8"));
  });

  it("is marked as the canary, with a healthcheck that cannot pass and a short timeout", () => {
    const compose = embeddedCanaryFiles()["compose.yml"]!;
    expect(compose).toContain("THE SWEEP CANARY");
    expect(compose).toContain('"ccci.canary=true"');
    expect(compose).toContain('test: ["CMD", "test", "-f", "/www/the-canary-must-fail"]');
    expect(compose).toMatch(/coop-cloud\.\$\{STACK_NAME\}\.timeout=\$\{TIMEOUT:-15\}/);
  });

  it("defaults to the bundled directory in a checkout", async () => {
    expect(await defaultCanary(stateDir)).toBe(bundledCanaryPath());
  });

  it("writes the embedded copy to the state dir where the bundled one is missing", async () => {
    const dir = await defaultCanary(stateDir, join(stateDir, "no-such-dir"));
    expect(dir).toBe(join(stateDir, "sweeps", "canary"));
    expect(readFileSync(join(dir, "compose.yml"), "utf8")).toBe(embeddedCanaryFiles()["compose.yml"]);
  });

  const sources: Array<[string, string, object]> = [
    ["a directory", "/srv/canary", { kind: "dir", path: "/srv/canary" }],
    [
      "an https URL",
      "https://git.example.org/canary.git",
      { kind: "git", url: "https://git.example.org/canary.git" },
    ],
    [
      "an scp-like URL",
      "git@git.example.org:ci/canary.git",
      { kind: "git", url: "git@git.example.org:ci/canary.git" },
    ],
  ];
  for (const [name, spec, source] of sources) {
    it(`runs from ${name}, cold, never promoted`, () => {
      const request = canaryRequest(spec, "sweep-1");
      expect(request).toMatchObject({ source, recipe: "canary", mode: "cold", origin: { canary: true } });
      expect(request.promote).toBeUndefined();
    });
  }
});
