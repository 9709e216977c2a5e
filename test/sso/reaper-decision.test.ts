import { describe, expect, it } from "vitest";
import { decideRealm } from "../../src/sso/reaper.js";

const now = new Date("2026-06-01T12:00:00.000Z");
const options = { dryRun: false, ttlSeconds: 3600, isLive: (runId: string) => runId.startsWith("live") };
const realm = (runId: string, createdAt: string) => ({
  realm: "hello-abc123",
  tags: { owner: "me", runId, createdAt },
});

describe("decideRealm", () => {
  it.each([
    ["keeps a young realm of a live run", "live-1", "2026-06-01T11:30:00.000Z", "keep", "run live-1 is live"],
    [
      "deletes a young realm whose run is over",
      "done-1",
      "2026-06-01T11:59:00.000Z",
      "delete",
      "run done-1 is not live",
    ],
    [
      "deletes a live run's realm past the TTL",
      "live-2",
      "2026-06-01T10:00:00.000Z",
      "delete",
      "older than the TTL",
    ],
    ["deletes a realm with an unreadable date", "live-3", "yesterday-ish", "delete", "older than the TTL"],
    ["keeps a live run's realm exactly at the TTL", "live-4", "2026-06-01T11:00:00.000Z", "keep", "is live"],
  ])("%s", (_name, runId, createdAt, action, reason) => {
    const decision = decideRealm(realm(runId, createdAt), options, now);
    expect(decision.action).toBe(action);
    expect(decision.reason).toContain(reason);
  });
});
