import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { z } from "zod";
import { UserError } from "../errors.js";

/** The instance id is written into every realm this ccci creates; it must be stable across restarts. */
function defaultInstanceId(): string {
  const host = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `ccci-${host || "local"}`.slice(0, 40);
}

const httpUrl = z
  .url({ protocol: /^https?$/, error: "expected an http(s) URL such as https://sso.ci.example.org" })
  .transform((url) => url.replace(/\/+$/, ""));

/**
 * SSO settings, to be folded into src/config.ts. Without CCCI_KEYCLOAK_URL there is no warm Keycloak and
 * SSO recipes fall back to a Keycloak co-deployed with the run.
 */
export const ssoSettingsSchema = z.object({
  CCCI_KEYCLOAK_URL: httpUrl
    .optional()
    .describe("Admin base URL of the warm Keycloak (e.g. http://127.0.0.1:18080); unset = cold fallback."),
  CCCI_KEYCLOAK_PUBLIC_URL: httpUrl
    .optional()
    .describe(
      "URL apps use to reach that Keycloak (issuer and discovery URLs); defaults to CCCI_KEYCLOAK_URL.",
    ),
  CCCI_KEYCLOAK_ADMIN_USER: z
    .string()
    .min(1)
    .default("admin")
    .describe("Keycloak master-realm admin user that creates and deletes run realms."),
  CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE: z
    .string()
    .min(1)
    .optional()
    .describe("File holding that admin's password (kept out of the environment)."),
  CCCI_INSTANCE_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "expected 1-40 lowercase letters, digits and hyphens")
    .default(defaultInstanceId())
    .describe("Owner tag written into every realm; the reaper only touches realms carrying it."),
  CCCI_REALM_TTL: z.coerce
    .number({ error: "expected a whole number of seconds" })
    .int("expected a whole number of seconds")
    .min(60, "expected at least 60 seconds")
    .default(10_800)
    .describe("Seconds after which the reaper deletes a run realm even if its run still looks live."),
  CCCI_KEYCLOAK_REQUEST_TIMEOUT: z.coerce
    .number({ error: "expected a whole number of seconds" })
    .int("expected a whole number of seconds")
    .min(1)
    .max(600)
    .default(30)
    .describe("Seconds one Keycloak admin request may take before Keycloak counts as unavailable."),
});

export type SsoSettings = z.infer<typeof ssoSettingsSchema>;

/** Where a warm Keycloak is configured: what the SSO code needs to talk to it. */
export interface WarmKeycloakSettings {
  adminUrl: string;
  publicUrl: string;
  adminUser: string;
  adminPassword: string;
  instanceId: string;
  requestTimeoutMs: number;
}

/** Null when no warm Keycloak is configured; throws naming the variable when it is half-configured. */
export async function warmKeycloakSettings(settings: SsoSettings): Promise<WarmKeycloakSettings | null> {
  if (!settings.CCCI_KEYCLOAK_URL) return null;
  const file = settings.CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE;
  if (!file) {
    throw new UserError(
      "CONFIG_INVALID",
      "CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE must be set with CCCI_KEYCLOAK_URL",
    );
  }
  const adminPassword = await readFile(file, "utf8").then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      throw new UserError(
        "CONFIG_INVALID",
        `CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE: cannot read ${file} (${error.code})`,
      );
    },
  );
  if (adminPassword.length === 0) {
    throw new UserError("CONFIG_INVALID", `CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE: ${file} is empty`);
  }
  return {
    adminUrl: settings.CCCI_KEYCLOAK_URL,
    publicUrl: settings.CCCI_KEYCLOAK_PUBLIC_URL ?? settings.CCCI_KEYCLOAK_URL,
    adminUser: settings.CCCI_KEYCLOAK_ADMIN_USER,
    adminPassword,
    instanceId: settings.CCCI_INSTANCE_ID,
    requestTimeoutMs: settings.CCCI_KEYCLOAK_REQUEST_TIMEOUT * 1000,
  };
}
