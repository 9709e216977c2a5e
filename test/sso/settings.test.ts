import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSettings as loadSsoSettings } from "../../src/config.js";
import { warmKeycloakSettings } from "../../src/sso/settings.js";

describe("loadSsoSettings", () => {
  it("has no warm Keycloak by default and a DNS-safe instance id", async () => {
    const settings = loadSsoSettings({});
    expect(settings.CCCI_KEYCLOAK_URL).toBeUndefined();
    expect(settings.CCCI_INSTANCE_ID).toMatch(/^ccci-[a-z0-9-]+$/);
    expect(settings.CCCI_REALM_TTL).toBe(10_800);
    expect(await warmKeycloakSettings(settings)).toBeNull();
  });

  it.each([
    [{ CCCI_KEYCLOAK_URL: "ftp://kc" }, "CCCI_KEYCLOAK_URL: expected an http(s) URL"],
    [{ CCCI_INSTANCE_ID: "Has Spaces" }, "CCCI_INSTANCE_ID: expected 1-40 lowercase"],
    [{ CCCI_REALM_TTL: "soon" }, "CCCI_REALM_TTL: expected a whole number of seconds"],
    [{ CCCI_REALM_TTL: "5" }, "CCCI_REALM_TTL: expected at least 60 seconds"],
  ])("names the bad variable in %o", (env, expected) => {
    expect(() => loadSsoSettings(env)).toThrow(expected);
  });

  it("reads the admin password from its file and strips the trailing slash of the URL", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccci-sso-"));
    await writeFile(join(dir, "pw"), "hunter22\n");
    const settings = loadSsoSettings({
      CCCI_KEYCLOAK_URL: "http://127.0.0.1:18080/",
      CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE: join(dir, "pw"),
      CCCI_INSTANCE_ID: "ci-1",
    });
    const warm = await warmKeycloakSettings(settings);
    await rm(dir, { recursive: true, force: true });
    expect(warm).toEqual({
      adminUrl: "http://127.0.0.1:18080",
      publicUrl: "http://127.0.0.1:18080",
      adminUser: "admin",
      adminPassword: "hunter22",
      instanceId: "ci-1",
      requestTimeoutMs: 30_000,
    });
  });

  it.each([
    [{}, "CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE must be set"],
    [{ CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE: "/nonexistent/pw" }, "cannot read /nonexistent/pw (ENOENT)"],
  ])("refuses a warm Keycloak whose password cannot be had (%o)", async (env, expected) => {
    const settings = loadSsoSettings({ CCCI_KEYCLOAK_URL: "http://127.0.0.1:18080", ...env });
    await expect(warmKeycloakSettings(settings)).rejects.toThrow(expected);
  });
});
