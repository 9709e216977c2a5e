import type { SsoDeclaration, SsoOutputName } from "./declaration.js";
import type { RealmCredentials } from "./realm-plan.js";

export type SsoOutputs = Record<SsoOutputName, string>;

/** What a run's realm offers the app, with URLs as the app sees Keycloak (`publicUrl`). */
export function realmOutputs(publicUrl: string, credentials: RealmCredentials): SsoOutputs {
  const issuer = `${publicUrl}/realms/${credentials.realm}`;
  return {
    keycloak_url: publicUrl,
    issuer_url: issuer,
    discovery_url: `${issuer}/.well-known/openid-configuration`,
    token_url: `${issuer}/protocol/openid-connect/token`,
    realm: credentials.realm,
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    test_username: credentials.username,
    test_password: credentials.password,
  };
}

/** Picks the outputs the recipe declared, under the env and secret names it asked for. */
export function declaredOutputs(
  declaration: SsoDeclaration,
  outputs: SsoOutputs,
): { env: Record<string, string>; secrets: Record<string, string> } {
  const pick = (mapping: Record<string, SsoOutputName>) =>
    Object.fromEntries(Object.entries(mapping).map(([name, output]) => [name, outputs[output]]));
  return { env: pick(declaration.env), secrets: pick(declaration.secrets) };
}
