import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keycloakUrl, realmDiscoveryStatus } from "../sso/e2e-support.js";
import { ccci, fixture } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";

/**
 * The fixture joins the host's network to reach the test Keycloak on 127.0.0.1, which ccci's compose
 * policy refuses unless the operator allows it: this suite's enrolment does, for ssoapp only.
 */
const enrolment = join(mkdtempSync(join(tmpdir(), "ccci-sso-enrol-")), "recipes.yml");
writeFileSync(
  enrolment,
  `recipes:\n  ssoapp:\n    repo: ${fixture("ssoapp")}\n    quick: false\n    allow: ["network_mode:host"]\n`,
);
const env = {
  ...Object.fromEntries(
    ["CCCI_KEYCLOAK_URL", "CCCI_KEYCLOAK_ADMIN_USER", "CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE"].flatMap((k) =>
      process.env[k] ? [[k, process.env[k]!]] : [],
    ),
  ),
  CCCI_RECIPES: enrolment,
};

/** .ci/run starts a real Keycloak and exports its settings; without them this suite cannot say anything. */
describe.skipIf(!keycloakUrl)("a cold run of an SSO recipe against the real warm Keycloak", () => {
  it("gets its own realm, the app and its custom assert log in through it, and the realm is gone afterwards", async () => {
    const { exitCode, run } = await ccci(["run", fixture("ssoapp"), "--json"], env);
    expect(run?.state, run?.reason ?? "").toBe("passed");
    expect(exitCode).toBe(0);
    expect(run!.notes.join("\n")).toContain(`SSO: realm on the warm Keycloak at ${keycloakUrl}`);
    const realm = /realm (\S+) \(warm\)/.exec(
      run!.steps.find((s) => s.name === "sso realm")?.detail ?? "",
    )?.[1];
    expect(realm).toMatch(/^ssoapp-[0-9a-f]{6}$/);
    expect(run!.asserts.find((a) => a.name === "generic:healthy")?.passed).toBe(true); // the healthcheck is a login
    expect(run!.asserts.find((a) => a.name === "custom:10-password-grant-from-the-host")?.detail).toContain(
      "password grant ok",
    );
    expect(await realmDiscoveryStatus(keycloakUrl!, realm!)).toBe(404);
    expect(await leftovers(run!.stack!)).toEqual([]);
    expect(JSON.stringify(run)).not.toMatch(/client_secret=[A-Za-z0-9]{8,}/);
  });

  it.each([
    [
      "an unknown provider",
      "sso:\n  provider: okta\n  env: { OIDC_CLIENT_ID: client_id }\n",
      /sso\.provider: unknown SSO provider "okta"/,
    ],
    [
      "a credential mapped to plain env",
      "sso:\n  provider: keycloak\n  env: { OIDC_SECRET: client_secret }\n",
      /sso\.env\.OIDC_SECRET: client_secret is a credential/,
    ],
    [
      "a secret the recipe does not declare",
      "sso:\n  provider: keycloak\n  secrets: { nope: client_secret }\n",
      /sso\.secrets\.nope: the recipe has no SECRET_NOPE_VERSION/,
    ],
  ])("refuses %s with a clear error before deploying anything", async (_name, declaration, message) => {
    const dir = join(mkdtempSync(join(tmpdir(), "ccci-sso-bad-")), "ssoapp");
    cpSync(fixture("ssoapp"), dir, { recursive: true });
    writeFileSync(join(dir, "ccci.yml"), declaration);
    const { exitCode, run } = await ccci(["run", dir, "--json"], env);
    expect(exitCode).toBe(2);
    expect(run!.reason).toMatch(message);
    expect(run!.steps.some((s) => s.name.endsWith("deploy"))).toBe(false);
    expect(await leftovers(run!.stack!)).toEqual([]);
  });
});
