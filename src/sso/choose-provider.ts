import type { Logger } from "../log.js";
import type { SsoProvider } from "./provider.js";
import type { WarmKeycloakSettings } from "./settings.js";
import { connectWarmKeycloak, isKeycloakHealthy } from "./warm-keycloak.js";

export interface ProviderChoice {
  provider: SsoProvider;
  /** For the run's report: which Keycloak serves the run, and why. */
  note: string;
}

/**
 * The warm Keycloak when it is configured and answers; otherwise the cold fallback, with the reason.
 * Called per SSO run, so a warm Keycloak that comes back is used again at once.
 */
export async function chooseSsoProvider(
  warm: WarmKeycloakSettings | null,
  coldFallback: () => SsoProvider,
  log: Logger,
): Promise<ProviderChoice> {
  if (warm && (await isKeycloakHealthy(warm.adminUrl))) {
    return {
      provider: connectWarmKeycloak(warm, log).provider,
      note: `SSO: realm on the warm Keycloak at ${warm.publicUrl}`,
    };
  }
  const reason = warm
    ? `the warm Keycloak at ${warm.adminUrl} is not answering`
    : "no warm Keycloak is configured";
  log.warn({ reason }, "SSO falls back to a co-deployed Keycloak");
  return {
    provider: coldFallback(),
    note: `SSO: cold fallback (${reason}): Keycloak co-deployed with the run`,
  };
}
