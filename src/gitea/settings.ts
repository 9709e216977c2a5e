import { readFileSync } from "node:fs";
import { z } from "zod";
import { UserError } from "../errors.js";

/**
 * The forge settings, folded into src/config.ts. With `CCCI_FORGE=gitea` the bot talks to one Gitea
 * (or Forgejo) instance as a bot user instead of running as a GitHub App; the other three are then
 * required, and both secrets are read from files so they never sit in the environment or in logs.
 */
export const giteaSettingsSchema = z.object({
  CCCI_FORGE: z
    .enum(["github", "gitea"], { error: "expected 'github' or 'gitea'" })
    .default("github")
    .describe(
      "Which forge `npm start` serves: `github` (a GitHub App, Probot's settings) or `gitea` (Gitea or Forgejo, see docs/gitea.md).",
    ),
  CCCI_GITEA_URL: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL such as https://git.coopcloud.tech" })
    .transform((url) => url.replace(/\/+$/, ""))
    .optional()
    .describe(
      "Base URL of the Gitea or Forgejo instance (without `/api/v1`); required with CCCI_FORGE=gitea.",
    ),
  CCCI_GITEA_TOKEN_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      "File holding the bot user's API token (scopes: write:repository, write:issue, read:user); required with CCCI_FORGE=gitea.",
    ),
  CCCI_GITEA_WEBHOOK_SECRET_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      "File holding the secret Gitea signs webhook deliveries with (the hook's `secret`); required with CCCI_FORGE=gitea.",
    ),
});

export type GiteaSettings = z.infer<typeof giteaSettingsSchema>;

/** What the Gitea bot runs with: the secrets are values, read once at start. */
export interface GiteaConfig {
  baseUrl: string;
  token: string;
  webhookSecret: string;
}

function problem(name: string, message: string): UserError {
  return new UserError("CONFIG_INVALID", `invalid configuration:\n  ${name}: ${message}`);
}

/** Reads a secret file; the error names the variable and the errno, never the content. */
function readSecret(name: string, path: string | undefined): string {
  if (!path) throw problem(name, "required with CCCI_FORGE=gitea");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw problem(name, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const value = text.trim();
  if (value.length === 0) throw problem(name, `${path} is empty`);
  if (/\s/.test(value)) throw problem(name, `${path} holds more than one word; expected the secret alone`);
  return value;
}

/** The Gitea settings, checked and read; throws a UserError naming the first bad variable. */
export function readGiteaConfig(settings: GiteaSettings): GiteaConfig {
  if (!settings.CCCI_GITEA_URL) throw problem("CCCI_GITEA_URL", "required with CCCI_FORGE=gitea");
  return {
    baseUrl: settings.CCCI_GITEA_URL,
    token: readSecret("CCCI_GITEA_TOKEN_FILE", settings.CCCI_GITEA_TOKEN_FILE),
    webhookSecret: readSecret("CCCI_GITEA_WEBHOOK_SECRET_FILE", settings.CCCI_GITEA_WEBHOOK_SECRET_FILE),
  };
}
