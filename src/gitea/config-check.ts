import { loadSettings } from "../config.js";
import { readServerEnv } from "./server-env.js";
import { readGiteaConfig } from "./settings.js";

/**
 * `ccci config check --bot` with CCCI_FORGE=gitea: reads both secret files (so a missing or empty one is
 * named here, not at start) and shows where they are, never what they hold.
 */
export function checkGiteaBot(env: NodeJS.ProcessEnv): string[] {
  const settings = loadSettings(env);
  const gitea = readGiteaConfig(settings);
  const server = readServerEnv(env);
  const row = (name: string, value: string) => `${name.padEnd(36)} ${value}`;
  return [
    row("Gitea API", `${gitea.baseUrl}/api/v1`),
    row("Gitea token", `read from ${settings.CCCI_GITEA_TOKEN_FILE} (********)`),
    row("Gitea webhook secret", `read from ${settings.CCCI_GITEA_WEBHOOK_SECRET_FILE} (********)`),
    row("PORT", String(server.PORT)),
    row("HOST", server.HOST),
    row("LOG_LEVEL", server.LOG_LEVEL),
    row("webhook path", "/api/gitea/webhooks"),
  ];
}
