import { describe, expect, it } from "vitest";
import { parseSsoDeclaration } from "../../src/sso/declaration.js";
import { declaredOutputs, realmOutputs } from "../../src/sso/outputs.js";
import {
  buildRealmRepresentation,
  newRealmCredentials,
  readRealmTags,
  realmNameFor,
  realmNamePattern,
} from "../../src/sso/realm-plan.js";

describe("realmNameFor", () => {
  it.each([
    ["hello", "abc123", "hello-abc123"],
    ["a-very-long-recipe-name-that-goes-on", "abc123", "a-very-long-recipe-name-abc123"],
    ["trailing-hyphen-at-the-cut-point-x", "abc123", "trailing-hyphen-at-the-c-abc123"],
    ["Upper_Case.Name", "abc123", "upper-case-name-abc123"],
    ["---", "abc123", "recipe-abc123"],
  ])("names a realm of %s as %s-derived [a-z0-9-]", (recipe, hex, expected) => {
    const name = realmNameFor(recipe, hex);
    expect(name).toBe(expected);
    expect(name).toMatch(realmNamePattern);
  });

  it("draws a fresh 6-hex suffix for every run", () => {
    const names = new Set(Array.from({ length: 50 }, () => realmNameFor("hello")));
    expect(names.size).toBe(50);
    for (const name of names) expect(name).toMatch(/^hello-[0-9a-f]{6}$/);
  });
});

describe("buildRealmRepresentation", () => {
  const credentials = newRealmCredentials("hello");
  const tags = { owner: "ccci-test", runId: "r1", createdAt: "2026-01-01T00:00:00.000Z" };
  const representation = buildRealmRepresentation(credentials, tags, ["https://hell-abc123.ci.localhost/*"]);

  it("holds the realm, a confidential client with direct access grants and a test user in one request", () => {
    expect(representation.realm).toBe(credentials.realm);
    expect(representation.clients).toEqual([
      expect.objectContaining({
        clientId: "hello",
        publicClient: false,
        directAccessGrantsEnabled: true,
        secret: credentials.clientSecret,
        redirectUris: ["https://hell-abc123.ci.localhost/*"],
      }),
    ]);
    expect(representation.users?.[0]).toMatchObject({
      username: "ccci-test",
      enabled: true,
      requiredActions: [],
      credentials: [{ type: "password", value: credentials.password, temporary: false }],
    });
  });

  it("tags the realm so that its tags read back", () => {
    expect(readRealmTags(representation)).toEqual(tags);
  });

  it.each([
    ["no attributes", {}],
    ["Keycloak's own attributes only", { attributes: { cibaInterval: "5" } }],
    ["a partial tag set", { attributes: { "ccci.owner": "x" } }],
  ])("reads no tags from a realm with %s", (_name, realm) => {
    expect(readRealmTags(realm)).toBeUndefined();
  });

  it("makes credentials that differ per run and are long enough to be secrets", () => {
    const other = newRealmCredentials("hello");
    expect(other.clientSecret).not.toBe(credentials.clientSecret);
    expect(credentials.clientSecret.length).toBeGreaterThanOrEqual(32);
    expect(credentials.password.length).toBeGreaterThanOrEqual(24);
  });
});

describe("declaredOutputs", () => {
  it("hands the app exactly the outputs it declared, under its own names", () => {
    const credentials = {
      realm: "hello-abc123",
      clientId: "hello",
      clientSecret: "s3cr3t!",
      username: "u",
      password: "p",
    };
    const declaration = parseSsoDeclaration({
      provider: "keycloak",
      env: { OIDC_DISCOVERY_URL: "discovery_url", OIDC_CLIENT_ID: "client_id" },
      secrets: { oidc_client_secret: "client_secret" },
    });
    expect(declaredOutputs(declaration, realmOutputs("https://sso.example.org", credentials))).toEqual({
      env: {
        OIDC_DISCOVERY_URL: "https://sso.example.org/realms/hello-abc123/.well-known/openid-configuration",
        OIDC_CLIENT_ID: "hello",
      },
      secrets: { oidc_client_secret: "s3cr3t!" },
    });
  });
});
