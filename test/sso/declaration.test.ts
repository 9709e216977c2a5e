import { describe, expect, it } from "vitest";
import { isUserError } from "../../src/errors.js";
import { checkSsoSecretsDeclared, parseSsoDeclaration } from "../../src/sso/declaration.js";

function errorOf(raw: unknown): { code: string; message: string } {
  try {
    parseSsoDeclaration(raw, "ccci.yml");
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error("expected the declaration to be refused");
}

describe("parseSsoDeclaration", () => {
  it("accepts a keycloak declaration and fills the defaults", () => {
    const declaration = parseSsoDeclaration({
      provider: "keycloak",
      env: { OIDC_DISCOVERY_URL: "discovery_url", OIDC_CLIENT_ID: "client_id" },
      secrets: { oidc_client_secret: "client_secret" },
    });
    expect(declaration).toEqual({
      provider: "keycloak",
      env: { OIDC_DISCOVERY_URL: "discovery_url", OIDC_CLIENT_ID: "client_id" },
      secrets: { oidc_client_secret: "client_secret" },
      redirect_path: "/*",
    });
  });

  it("accepts a declaration with secrets only", () => {
    const declaration = parseSsoDeclaration({ provider: "keycloak", secrets: { pw: "test_password" } });
    expect(declaration.env).toEqual({});
  });

  it.each([
    [
      "an unknown provider",
      { provider: "okta", env: { A: "realm" } },
      'sso.provider: unknown SSO provider "okta"',
    ],
    ["a missing provider", { env: { A: "realm" } }, "sso.provider: unknown SSO provider undefined"],
    ["a lowercase env name", { provider: "keycloak", env: { oidc: "realm" } }, "sso.env.oidc: env names are"],
    ["an unknown output", { provider: "keycloak", env: { A: "bogus" } }, 'sso.env.A: unknown output "bogus"'],
    [
      "a credential mapped to plain env",
      { provider: "keycloak", env: { SECRET: "client_secret" } },
      "sso.env.SECRET: client_secret is a credential: map it under secrets",
    ],
    [
      "a malformed secret name",
      { provider: "keycloak", secrets: { "Bad-Name": "client_secret" } },
      "sso.secrets.Bad-Name: secret names are",
    ],
    ["no outputs at all", { provider: "keycloak" }, "sso: declare at least one output"],
    [
      "an unknown key",
      { provider: "keycloak", env: { A: "realm" }, extra: 1 },
      "sso extra: Unrecognized key",
    ],
    ["a plain string", "keycloak", "sso: expected a mapping with key provider"],
    [
      "a bad redirect path",
      { provider: "keycloak", env: { A: "realm" }, redirect_path: "x y" },
      "redirect_path",
    ],
  ])("refuses %s with an error naming the field", (_name, raw, expected) => {
    const { code, message } = errorOf(raw);
    expect(code).toBe("SSO_DECLARATION_INVALID");
    expect(message).toContain("invalid SSO declaration in ccci.yml");
    expect(message).toContain(expected);
  });
});

describe("checkSsoSecretsDeclared", () => {
  const declaration = parseSsoDeclaration({
    provider: "keycloak",
    secrets: { oidc_client_secret: "client_secret", oidc_test_password: "test_password" },
  });

  it("accepts secrets the recipe declares in .env.sample", () => {
    expect(() =>
      checkSsoSecretsDeclared(declaration, ["db_password", "oidc_client_secret", "oidc_test_password"]),
    ).not.toThrow();
  });

  it("names each SSO secret the recipe does not declare", () => {
    expect(() => checkSsoSecretsDeclared(declaration, ["oidc_client_secret"])).toThrow(
      "sso.secrets.oidc_test_password: the recipe has no SECRET_OIDC_TEST_PASSWORD_VERSION in .env.sample",
    );
  });
});
