import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Resource } from "../../src/deploy/deployer.js";
import { CcciError } from "../../src/errors.js";
import { KeycloakAdminSession } from "../../src/sso/admin-session.js";
import { chooseSsoProvider } from "../../src/sso/choose-provider.js";
import type { PreparedSso } from "../../src/sso/provider.js";
import { connectWarmKeycloak, type WarmKeycloak } from "../../src/sso/warm-keycloak.js";
import {
  keycloakUrl,
  oidcDeclaration,
  passwordGrant,
  quietLog,
  realmDiscoveryStatus,
  testInstanceId,
  warmSettingsForTest,
} from "../sso/e2e-support.js";

const never = new AbortController().signal;

function loginOf(prepared: PreparedSso) {
  return {
    clientId: prepared.env.OIDC_CLIENT_ID!,
    clientSecret: prepared.secrets.oidc_client_secret!,
    username: prepared.env.OIDC_TEST_USER!,
    password: prepared.secrets.oidc_test_password!,
  };
}

describe.skipIf(!keycloakUrl)("warm Keycloak gives each run its own realm (real Keycloak)", () => {
  let warm: WarmKeycloak;

  beforeAll(async () => {
    warm = connectWarmKeycloak(await warmSettingsForTest(testInstanceId("realms")), quietLog);
  });

  afterAll(async () => {
    // Safety net for a failed assertion half-way: leave no realm of this suite behind.
    for (const { realm } of (await warm?.realms.listOwned()) ?? []) await warm.realms.delete(realm);
  });

  it("creates a tagged realm where an OIDC password-grant login succeeds, and deletes it at cleanup", async () => {
    const recorded: Resource[] = [];
    const run = { runId: "run-login", recipe: "hello-sso", domain: "hell-abc123.ci.localhost" };
    const record = async (resource: Resource) => void recorded.push(resource);
    const prepared = await warm.provider.prepare({ ...run, record }, oidcDeclaration, never);

    expect(prepared.mode).toBe("warm");
    expect(prepared.realm).toMatch(/^hello-sso-[0-9a-f]{6}$/);
    expect(recorded).toEqual([{ kind: "realm", name: prepared.realm }]);
    expect(JSON.stringify(prepared.env)).not.toContain(prepared.secrets.oidc_client_secret);
    const owned = await warm.realms.listOwned();
    expect(owned.map((r) => r.realm)).toEqual([prepared.realm]);
    expect(owned[0]?.tags).toMatchObject({ owner: warm.realms.instanceId, runId: "run-login" });

    const discovery = (await (await fetch(prepared.env.OIDC_DISCOVERY_URL!)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.token_endpoint).toBe(prepared.env.OIDC_TOKEN_URL);
    const login = await passwordGrant(prepared.env.OIDC_TOKEN_URL!, loginOf(prepared));
    expect(login.status).toBe(200);
    expect(login.body.access_token).toEqual(expect.any(String));
    expect(login.body.id_token).toEqual(expect.any(String));
    const wrong = await passwordGrant(prepared.env.OIDC_TOKEN_URL!, {
      ...loginOf(prepared),
      password: "wrong-pw",
    });
    expect(wrong.status).not.toBe(200);
    expect(wrong.body.error).toBe("invalid_grant");

    await prepared.cleanup();
    expect(await realmDiscoveryStatus(keycloakUrl!, prepared.realm)).toBe(404);
    expect((await passwordGrant(prepared.env.OIDC_TOKEN_URL!, loginOf(prepared))).status).not.toBe(200);
    await expect(prepared.cleanup()).resolves.toBeUndefined();
  });

  it("is chosen over the cold fallback while it answers", async () => {
    const settings = await warmSettingsForTest(testInstanceId("choice"));
    const choice = await chooseSsoProvider(
      settings,
      () => expect.unreachable("cold fallback chosen"),
      quietLog,
    );
    expect(choice.provider.mode).toBe("warm");
    expect(choice.note).toBe(`SSO: realm on the warm Keycloak at ${keycloakUrl}`);
  });

  it("gives 8 concurrent runs 8 distinct realms that all log in, and deletes all of them", async () => {
    const started = Date.now();
    const prepared = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        warm.provider.prepare(
          { runId: `run-${i}`, recipe: i % 2 ? "hello-sso" : "nextcloud" },
          oidcDeclaration,
          never,
        ),
      ),
    );
    const prepareMs = Date.now() - started;
    const realms = prepared.map((p) => p.realm);
    expect(new Set(realms).size).toBe(8);
    expect((await warm.realms.listOwned()).map((r) => r.realm).sort()).toEqual([...realms].sort());
    const logins = await Promise.all(prepared.map((p) => passwordGrant(p.env.OIDC_TOKEN_URL!, loginOf(p))));
    expect(logins.map((l) => l.status)).toEqual(Array(8).fill(200));

    const cleanupStarted = Date.now();
    await Promise.all(prepared.map((p) => p.cleanup()));
    const cleanupMs = Date.now() - cleanupStarted;
    const after = await Promise.all(realms.map((realm) => realmDiscoveryStatus(keycloakUrl!, realm)));
    expect(after).toEqual(Array(8).fill(404));
    expect(await warm.realms.listOwned()).toEqual([]);
    console.log(`keycloak e2e: 8 concurrent prepares took ${prepareMs} ms, 8 cleanups ${cleanupMs} ms`);
  });

  it("logs in again and retries once when Keycloak rejects its admin token", async () => {
    const settings = await warmSettingsForTest(testInstanceId("token"));
    const lines: string[] = [];
    const recordingLog = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const session = new KeycloakAdminSession(settings, recordingLog);
    expect(await session.call("listing realms", (client) => client.realms.find())).toEqual(expect.any(Array));

    // Another admin logs out every session of the admin user: the token the session holds is now revoked.
    const other = new KeycloakAdminSession(settings, quietLog);
    await other.call("logging out the admin", async (client) => {
      const [user] = await client.users.find({ realm: "master", username: settings.adminUser, exact: true });
      await client.users.logout({ realm: "master", id: user!.id! });
    });

    expect(await session.call("listing realms", (client) => client.realms.find())).toEqual(expect.any(Array));
    expect(lines.some((line) => line.includes("keycloak admin token rejected; logging in again"))).toBe(true);
  });

  it("fails with an error naming Keycloak when the admin password is wrong", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccci-kc-"));
    await writeFile(join(dir, "pw"), "not-the-password", { mode: 0o600 });
    const settings = await warmSettingsForTest(testInstanceId("badpw"), {
      CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE: join(dir, "pw"),
    });
    await rm(dir, { recursive: true, force: true });
    const broken = connectWarmKeycloak(settings, quietLog);
    const attempt = broken.provider.prepare({ runId: "run-x", recipe: "hello-sso" }, oidcDeclaration, never);
    await expect(attempt).rejects.toBeInstanceOf(CcciError);
    await expect(attempt).rejects.toThrow(/Keycloak at .* refused the admin login/);
  });
});
