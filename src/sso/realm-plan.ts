import { randomBytes } from "node:crypto";
import type RealmRepresentation from "@keycloak/keycloak-admin-client/lib/defs/realmRepresentation.js";
import { z } from "zod";
import { randomHex } from "../recipe/naming.js";

/** Realm attributes that mark a realm as made by ccci; the reaper reads them back. */
export const realmTagAttributes = {
  owner: "ccci.owner",
  runId: "ccci.runId",
  createdAt: "ccci.createdAt",
} as const;

export interface RealmTags {
  owner: string;
  runId: string;
  createdAt: string;
}

/** Everything a run needs to know about its realm; the credentials go to the app as secrets. */
export interface RealmCredentials {
  realm: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

const RECIPE_PREFIX_LENGTH = 24;
export const realmNamePattern = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?-[0-9a-f]{6}$/;

/** `<recipe[:24]>-<6hex>`: lowercase letters, digits and hyphens only, never `master`. */
export function realmNameFor(recipe: string, hex = randomHex()): string {
  return `${recipePrefix(recipe)}-${hex}`;
}

function recipePrefix(recipe: string): string {
  const prefix = recipe
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, RECIPE_PREFIX_LENGTH)
    .replace(/^-+|-+$/g, "");
  return prefix || "recipe";
}

const secretToken = (bytes: number) => randomBytes(bytes).toString("base64url");

export function newRealmCredentials(recipe: string): RealmCredentials {
  return {
    realm: realmNameFor(recipe),
    clientId: recipePrefix(recipe),
    clientSecret: secretToken(24),
    username: "ccci-test",
    password: secretToken(18),
  };
}

/**
 * The whole realm in one representation — realm, confidential OIDC client with direct access grants,
 * and a ready-to-log-in test user — so it is created by one request and never exists half-made.
 */
export function buildRealmRepresentation(
  credentials: RealmCredentials,
  tags: RealmTags,
  redirectUris: string[],
): RealmRepresentation {
  return {
    realm: credentials.realm,
    enabled: true,
    attributes: {
      [realmTagAttributes.owner]: tags.owner,
      [realmTagAttributes.runId]: tags.runId,
      [realmTagAttributes.createdAt]: tags.createdAt,
    },
    clients: [
      {
        clientId: credentials.clientId,
        protocol: "openid-connect",
        enabled: true,
        publicClient: false,
        clientAuthenticatorType: "client-secret",
        secret: credentials.clientSecret,
        standardFlowEnabled: true,
        directAccessGrantsEnabled: true,
        redirectUris,
        webOrigins: ["+"],
      },
    ],
    users: [
      {
        username: credentials.username,
        enabled: true,
        email: `${credentials.username}@ccci.invalid`,
        emailVerified: true,
        // Keycloak's user profile requires names; without them a login ends in "account not set up".
        firstName: "ccci",
        lastName: "test",
        requiredActions: [],
        credentials: [{ type: "password", value: credentials.password, temporary: false }],
      },
    ],
  };
}

const tagSchema = z.object({
  [realmTagAttributes.owner]: z.string().min(1),
  [realmTagAttributes.runId]: z.string().min(1),
  [realmTagAttributes.createdAt]: z.string().min(1),
});

/** The ccci tags of a realm, or undefined when it carries none (or a partial, foreign set). */
export function readRealmTags(realm: Pick<RealmRepresentation, "attributes">): RealmTags | undefined {
  const parsed = tagSchema.safeParse(realm.attributes ?? {});
  if (!parsed.success) return undefined;
  return {
    owner: parsed.data[realmTagAttributes.owner],
    runId: parsed.data[realmTagAttributes.runId],
    createdAt: parsed.data[realmTagAttributes.createdAt],
  };
}
