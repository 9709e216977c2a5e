import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const manifest = parse(readFileSync(join(import.meta.dirname, "../../app.yml"), "utf8"));

describe("app.yml", () => {
  it("subscribes to exactly the events the app handles", () => {
    const source = readFileSync(join(import.meta.dirname, "../../src/index.ts"), "utf8");
    const handled = new Set([...source.matchAll(/"([a-z_]+)\.[a-z_]+"/g)].map((m) => m[1]));
    expect([...manifest.default_events].sort()).toEqual([...handled].sort());
  });

  it("asks for the least permissions that work, and nothing else", () => {
    expect(manifest.default_permissions).toEqual({
      checks: "write",
      statuses: "write",
      pull_requests: "read",
      issues: "write",
      contents: "read",
      metadata: "read",
    });
  });

  it("points the webhook at Probot's default path", () => {
    expect(manifest.hook_attributes.url).toMatch(/\/api\/github\/webhooks$/);
  });
});
