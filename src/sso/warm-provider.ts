import type { Logger } from "../log.js";
import type { SsoDeclaration } from "./declaration.js";
import { declaredOutputs, realmOutputs } from "./outputs.js";
import type { PreparedSso, SsoProvider, SsoRunContext } from "./provider.js";
import type { RealmManager } from "./realm-manager.js";
import { buildRealmRepresentation, newRealmCredentials } from "./realm-plan.js";

/**
 * SSO from the long-lived ("warm") Keycloak: each run gets its own realm `<recipe>-<6hex>` with an
 * OIDC client and a test user, deleted by `cleanup()`. Realms a crash leaves behind are the reaper's.
 */
export class WarmKeycloakProvider implements SsoProvider {
  readonly mode = "warm" as const;

  constructor(
    private readonly realms: RealmManager,
    /** Keycloak's URL as the app reaches it; issuer and discovery URLs are built from it. */
    private readonly publicUrl: string,
    private readonly log: Logger,
  ) {}

  async prepare(run: SsoRunContext, declaration: SsoDeclaration, signal: AbortSignal): Promise<PreparedSso> {
    signal.throwIfAborted();
    const credentials = newRealmCredentials(run.recipe);
    const { realm } = credentials;
    const log = this.log.child({ runId: run.runId, realm });
    const redirectUris = run.domain ? [`https://${run.domain}${declaration.redirect_path}`] : [];
    const tags = { owner: this.realms.instanceId, runId: run.runId, createdAt: new Date().toISOString() };
    for (const credential of [credentials.clientSecret, credentials.password]) run.redactor?.add(credential);
    await run.record?.({ kind: "realm", name: realm });
    try {
      await this.realms.create(buildRealmRepresentation(credentials, tags, redirectUris));
    } catch (error) {
      // A create that timed out may still have landed: try to take it back, leave the rest to the reaper.
      await this.realms.delete(realm).catch((cleanupError: unknown) => {
        log.warn({ err: cleanupError }, "could not remove the realm after a failed create; the reaper will");
      });
      throw error;
    }
    const { env, secrets } = declaredOutputs(declaration, realmOutputs(this.publicUrl, credentials));
    let removed = false;
    // Retryable: a failed delete (Keycloak down) leaves `removed` false so a later call tries again.
    const cleanup = async () => {
      if (removed) return;
      const outcome = await this.realms.delete(realm);
      removed = true;
      log.info({ outcome }, "realm cleanup done");
    };
    return { env, secrets, realm, mode: this.mode, cleanup };
  }
}
