import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { loadSettings as loadSsoSettings } from "../../src/config.js";
import type { Logger } from "../../src/log.js";
import { parseSsoDeclaration } from "../../src/sso/declaration.js";
import { type WarmKeycloakSettings, warmKeycloakSettings } from "../../src/sso/settings.js";

/** Shared by the test/e2e/keycloak-*.test.ts suites, which run against a real Keycloak. */
export const keycloakUrl = process.env.CCCI_KEYCLOAK_URL;
// CI starts a real Keycloak: there, a missing URL is a broken set-up, not a reason to skip.
if (process.env.CCCI_REQUIRE_KEYCLOAK === "1" && !keycloakUrl) {
  throw new Error(
    "CCCI_REQUIRE_KEYCLOAK=1 but CCCI_KEYCLOAK_URL is unset: scripts/keycloak-up.sh did not run",
  );
}

if (!keycloakUrl) {
  console.warn(
    "\n*** Keycloak e2e tests SKIPPED: CCCI_KEYCLOAK_URL is not set. " +
      'Run `eval "$(scripts/keycloak-up.sh)"` first (.ci/run does). ***\n',
  );
}

export const quietLog: Logger = pino({ level: process.env.LOG_LEVEL ?? "silent" });

/** A fresh owner tag per suite, so suites (and other ccci instances) never see each other's realms. */
export function testInstanceId(label: string): string {
  return `e2e-${label}-${randomBytes(3).toString("hex")}`;
}

export async function warmSettingsForTest(
  instanceId: string,
  overrides: NodeJS.ProcessEnv = {},
): Promise<WarmKeycloakSettings> {
  const settings = loadSsoSettings({ ...process.env, CCCI_INSTANCE_ID: instanceId, ...overrides });
  const warm = await warmKeycloakSettings(settings);
  if (!warm) throw new Error("CCCI_KEYCLOAK_URL is not set");
  return warm;
}

export const oidcDeclaration = parseSsoDeclaration({
  provider: "keycloak",
  env: {
    OIDC_DISCOVERY_URL: "discovery_url",
    OIDC_TOKEN_URL: "token_url",
    OIDC_CLIENT_ID: "client_id",
    OIDC_TEST_USER: "test_username",
  },
  secrets: { oidc_client_secret: "client_secret", oidc_test_password: "test_password" },
});

export interface GrantAttempt {
  status: number;
  body: Record<string, unknown>;
}

/** The OIDC resource-owner password grant an app (or a custom assert) would do, over loopback. */
export async function passwordGrant(
  tokenUrl: string,
  login: { clientId: string; clientSecret: string; username: string; password: string },
): Promise<GrantAttempt> {
  const response = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "password",
      scope: "openid",
      client_id: login.clientId,
      client_secret: login.clientSecret,
      username: login.username,
      password: login.password,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: response.status, body };
}

/** Whether the realm exists, judged by its public discovery document (200 or 404). */
export async function realmDiscoveryStatus(baseUrl: string, realm: string): Promise<number> {
  const response = await fetch(`${baseUrl}/realms/${realm}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(30_000),
  });
  await response.body?.cancel();
  return response.status;
}
