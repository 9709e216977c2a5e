import type { Resource } from "../deploy/deployer.js";
import type { Redactor } from "../redact.js";
import type { SsoDeclaration } from "./declaration.js";

export type SsoMode = "warm" | "cold-fallback";

/** The run an SSO realm is prepared for. */
export interface SsoRunContext {
  runId: string;
  recipe: string;
  /** The app's domain, for the OIDC client's redirect URIs; omitted, the client allows none. */
  domain?: string;
  /** Records the realm in the run's journal before it is created, so teardown and recovery find it. */
  record?: (resource: Resource) => Promise<void>;
  /** The run's private directory; the cold fallback writes its Keycloak's compose file there. */
  runDir?: string;
  /** The run's redactor; providers add every credential they hand out. */
  redactor?: Redactor;
}

export interface PreparedSso {
  /** App env variables the recipe declared (URLs, client id, realm): safe to write to the env file. */
  env: Record<string, string>;
  /** Secret name -> value, for the engine to create as Docker secrets and to add to the redactor. */
  secrets: Record<string, string>;
  realm: string;
  mode: SsoMode;
  /** Removes the realm (and a co-deployed Keycloak); idempotent, safe to call after a failed run. */
  cleanup(): Promise<void>;
}

/** What the engine calls for a recipe that declares `sso` in its ccci.yml, before the deploy. */
export interface SsoProvider {
  readonly mode: SsoMode;
  prepare(run: SsoRunContext, declaration: SsoDeclaration, signal: AbortSignal): Promise<PreparedSso>;
}
