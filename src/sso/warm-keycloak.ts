import type { Logger } from "../log.js";
import { KeycloakAdminSession } from "./admin-session.js";
import { RealmManager } from "./realm-manager.js";
import type { WarmKeycloakSettings } from "./settings.js";
import { WarmKeycloakProvider } from "./warm-provider.js";

export interface WarmKeycloak {
  realms: RealmManager;
  provider: WarmKeycloakProvider;
}

/** Wires the admin session, realm manager and provider for one configured warm Keycloak. */
export function connectWarmKeycloak(settings: WarmKeycloakSettings, log: Logger): WarmKeycloak {
  const session = new KeycloakAdminSession(settings, log);
  const realms = new RealmManager(session, settings.instanceId, log);
  return { realms, provider: new WarmKeycloakProvider(realms, settings.publicUrl, log) };
}

/**
 * Whether Keycloak answers as an OpenID provider. Uses the master realm's public discovery document,
 * which every Keycloak serves on its main port (the /health endpoints live on the management port,
 * which a Co-op Cloud deployment does not publish).
 */
export async function isKeycloakHealthy(url: string, timeoutMs = 5_000): Promise<boolean> {
  try {
    const response = await fetch(`${url}/realms/master/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
