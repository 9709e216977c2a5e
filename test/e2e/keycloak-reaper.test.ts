import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomHex } from "../../src/recipe/naming.js";
import { KeycloakAdminSession } from "../../src/sso/admin-session.js";
import { buildRealmRepresentation, newRealmCredentials, type RealmTags } from "../../src/sso/realm-plan.js";
import { reapRealms } from "../../src/sso/reaper.js";
import { connectWarmKeycloak, type WarmKeycloak } from "../../src/sso/warm-keycloak.js";
import {
  keycloakUrl,
  quietLog,
  realmDiscoveryStatus,
  testInstanceId,
  warmSettingsForTest,
} from "../sso/e2e-support.js";

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

describe.skipIf(!keycloakUrl)("the realm reaper (real Keycloak)", () => {
  let warm: WarmKeycloak;
  let admin: KeycloakAdminSession;
  const created: Record<string, string> = {};

  /** A realm as a run of `owner` would have left it; foreign owners are written with a raw admin call. */
  async function seedRealm(label: string, tags: RealmTags | null): Promise<void> {
    const credentials = newRealmCredentials(`reap-${label}`);
    const representation = tags
      ? buildRealmRepresentation(credentials, tags, [])
      : { realm: credentials.realm, enabled: true };
    await admin.call(`seeding ${credentials.realm}`, (client) => client.realms.create(representation));
    created[label] = credentials.realm;
  }

  beforeAll(async () => {
    const settings = await warmSettingsForTest(testInstanceId("reaper"));
    warm = connectWarmKeycloak(settings, quietLog);
    admin = new KeycloakAdminSession(settings, quietLog);
    const owner = settings.instanceId;
    await seedRealm("old-orphan", { owner, runId: "run-dead", createdAt: hoursAgo(48) });
    await seedRealm("new-orphan", { owner, runId: "run-gone", createdAt: hoursAgo(0) });
    await seedRealm("live", { owner, runId: "run-live", createdAt: hoursAgo(0) });
    await seedRealm("live-too-old", { owner, runId: "run-stuck", createdAt: hoursAgo(5) });
    await seedRealm("foreign", { owner: `other-${randomHex()}`, runId: "run-dead", createdAt: hoursAgo(48) });
    await seedRealm("untagged", null);
  });

  afterAll(async () => {
    for (const realm of Object.values(created)) {
      await admin?.call(`removing ${realm}`, (client) => client.realms.del({ realm })).catch(() => undefined);
    }
  });

  const options = {
    ttlSeconds: 3 * 3600,
    isLive: (runId: string) => runId === "run-live" || runId === "run-stuck",
  };
  const status = (label: string) => realmDiscoveryStatus(keycloakUrl!, created[label]!);

  it("lists only this instance's realms in a dry run, with the reason, and deletes nothing", async () => {
    const report = await reapRealms(warm.realms, { ...options, dryRun: true }, quietLog);
    const actions = Object.fromEntries(report.decisions.map((d) => [d.realm, `${d.action}: ${d.reason}`]));
    expect(actions).toEqual({
      [created["old-orphan"]!]: "delete: older than the TTL of 10800s",
      [created["new-orphan"]!]: "delete: run run-gone is not live",
      [created.live!]: "keep: run run-live is live",
      [created["live-too-old"]!]: "delete: older than the TTL of 10800s",
    });
    expect(report.deleted).toEqual([]);
    for (const label of Object.keys(created)) expect(await status(label)).toBe(200);
  });

  it("deletes orphaned and over-age realms, keeps the live one, and never touches master, untagged or foreign realms", async () => {
    const report = await reapRealms(warm.realms, { ...options, dryRun: false }, quietLog);
    expect(report.failed).toEqual([]);
    expect(report.deleted.sort()).toEqual(
      [created["old-orphan"]!, created["new-orphan"]!, created["live-too-old"]!].sort(),
    );
    expect(await status("old-orphan")).toBe(404);
    expect(await status("new-orphan")).toBe(404);
    expect(await status("live-too-old")).toBe(404);
    expect(await status("live")).toBe(200);
    expect(await status("foreign")).toBe(200);
    expect(await status("untagged")).toBe(200);
    expect(await realmDiscoveryStatus(keycloakUrl!, "master")).toBe(200);
  });

  it("refuses a direct delete of master, an untagged realm or another instance's realm", async () => {
    expect(await warm.realms.delete("master")).toBe("not-ours");
    expect(await warm.realms.delete(created.untagged!)).toBe("not-ours");
    expect(await warm.realms.delete(created.foreign!)).toBe("not-ours");
    expect(await warm.realms.delete("no-such-realm-000000")).toBe("already-gone");
    expect(await status("untagged")).toBe(200);
    expect(await status("foreign")).toBe(200);
    expect(await realmDiscoveryStatus(keycloakUrl!, "master")).toBe(200);
  });
});
