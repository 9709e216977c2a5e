import KeycloakAdminClient, { NetworkError } from "@keycloak/keycloak-admin-client";
import { CcciError } from "../errors.js";
import type { Logger } from "../log.js";

export interface AdminSessionOptions {
  adminUrl: string;
  adminUser: string;
  adminPassword: string;
  requestTimeoutMs: number;
}

/** Master-realm admin tokens live 60 s; re-login a little before that rather than race the expiry. */
const TOKEN_REUSE_MS = 45_000;

/** Keycloak could not be reached, or refused a request; `status` is set when it answered at all. */
export class KeycloakError extends CcciError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super("KEYCLOAK_UNAVAILABLE", message);
    this.name = "KeycloakError";
  }
}

/** The HTTP status a Keycloak call failed with, or undefined when Keycloak never answered. */
export function keycloakStatusOf(error: unknown): number | undefined {
  if (error instanceof KeycloakError) return error.status;
  return error instanceof NetworkError ? error.response.status : undefined;
}

function describeTransportFailure(error: unknown): string {
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return "the request timed out";
  }
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  if (cause?.code) return `${cause.code}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * One authenticated admin connection to a Keycloak, used for the master realm only to manage other
 * realms. Every call names what it was doing, so a failure reads "Keycloak at … is unreachable while
 * creating realm x" rather than "fetch failed". A 401 (expired or revoked token) re-authenticates and
 * retries once.
 */
export class KeycloakAdminSession {
  private readonly client: KeycloakAdminClient;
  private authenticatedAt = 0;

  constructor(
    private readonly options: AdminSessionOptions,
    private readonly log: Logger,
  ) {
    // realmName stays `master` (where the admin logs in); every call passes its own `realm`.
    this.client = new KeycloakAdminClient({ baseUrl: options.adminUrl, timeout: options.requestTimeoutMs });
  }

  get url(): string {
    return this.options.adminUrl;
  }

  async call<T>(doing: string, request: (client: KeycloakAdminClient) => Promise<T>): Promise<T> {
    try {
      await this.ensureAuthenticated(doing);
    } catch (error) {
      throw this.explain(error, doing);
    }
    try {
      return await request(this.client);
    } catch (error) {
      if (keycloakStatusOf(error) !== 401) throw this.explain(error, doing);
      this.log.info({ doing }, "keycloak admin token rejected; logging in again");
      this.authenticatedAt = 0;
      try {
        await this.ensureAuthenticated(doing);
        return await request(this.client);
      } catch (retryError) {
        throw this.explain(retryError, doing);
      }
    }
  }

  private async ensureAuthenticated(doing: string): Promise<void> {
    if (Date.now() - this.authenticatedAt < TOKEN_REUSE_MS) return;
    try {
      await this.client.auth({
        grantType: "password",
        clientId: "admin-cli",
        username: this.options.adminUser,
        password: this.options.adminPassword,
      });
    } catch (error) {
      // Keycloak answers a wrong admin password with 400 invalid_grant (older versions: 401).
      const status = keycloakStatusOf(error);
      if (status === 400 || status === 401) {
        throw new KeycloakError(
          `Keycloak at ${this.url} refused the admin login of ${this.options.adminUser} while ${doing}: ` +
            "check CCCI_KEYCLOAK_ADMIN_USER and CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE",
          status,
        );
      }
      throw error;
    }
    this.authenticatedAt = Date.now();
  }

  /** Turns a failure into one line naming Keycloak and the operation; HTTP errors keep their status. */
  private explain(error: unknown, doing: string): unknown {
    if (error instanceof CcciError) return error;
    const status = keycloakStatusOf(error);
    if (status !== undefined) {
      const detail = error instanceof Error ? error.message : "";
      return new KeycloakError(
        `Keycloak at ${this.url} answered HTTP ${status} while ${doing}: ${detail}`,
        status,
      );
    }
    return new KeycloakError(
      `Keycloak at ${this.url} is unreachable while ${doing} (${describeTransportFailure(error)})`,
    );
  }
}
