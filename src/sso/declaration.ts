import { z } from "zod";
import { UserError } from "../errors.js";

/**
 * How a recipe says it needs single sign-on: the optional `sso` key of its `ccci.yml`, e.g.
 *
 *   sso:
 *     provider: keycloak
 *     env:     { OIDC_DISCOVERY_URL: discovery_url, OIDC_CLIENT_ID: client_id }
 *     secrets: { oidc_client_secret: client_secret }
 *
 * `env` maps app env variables to outputs of the run's realm, `secrets` maps the recipe's secret names
 * (the lowercased `<NAME>` of `SECRET_<NAME>_VERSION`) to outputs. See docs/sso.md.
 */
export const ssoProviders = ["keycloak"] as const;

export const ssoOutputNames = [
  "discovery_url",
  "issuer_url",
  "token_url",
  "keycloak_url",
  "realm",
  "client_id",
  "client_secret",
  "test_username",
  "test_password",
] as const;
export type SsoOutputName = (typeof ssoOutputNames)[number];

/** Outputs that are credentials: they may only reach the app as Docker secrets, never as plain env. */
export const secretOutputNames: ReadonlySet<SsoOutputName> = new Set(["client_secret", "test_password"]);

const list = (values: readonly string[]) => values.join(", ");

const output = z.enum(ssoOutputNames, {
  error: (issue) => `unknown output ${JSON.stringify(issue.input)} (expected one of ${list(ssoOutputNames)})`,
});

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, "env names are UPPER_SNAKE_CASE (letters, digits, underscores)");

const secretName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_]{0,39}$/, "secret names are 1-40 lowercase letters, digits and underscores");

export const ssoDeclarationSchema = z
  .strictObject(
    {
      provider: z.enum(ssoProviders, {
        error: (issue) =>
          `unknown SSO provider ${JSON.stringify(issue.input)} (supported: ${list(ssoProviders)})`,
      }),
      env: z.record(envName, output).default({}),
      secrets: z.record(secretName, output).default({}),
      /** Path allowed as the OIDC redirect under the app's domain. */
      redirect_path: z
        .string()
        .regex(/^\/[A-Za-z0-9._~/*-]*$/, "redirect_path must be a URL path such as /* or /oauth/callback")
        .default("/*"),
    },
    {
      error: (issue) => (issue.code === "invalid_type" ? "expected a mapping with key provider" : undefined),
    },
  )
  .superRefine((declaration, ctx) => {
    for (const [name, value] of Object.entries(declaration.env)) {
      if (secretOutputNames.has(value)) {
        ctx.addIssue({
          code: "custom",
          path: ["env", name],
          message: `${value} is a credential: map it under secrets, not env`,
        });
      }
    }
    if (Object.keys(declaration.env).length + Object.keys(declaration.secrets).length === 0) {
      ctx.addIssue({ code: "custom", path: [], message: "declare at least one output under env or secrets" });
    }
  });

export type SsoDeclaration = z.infer<typeof ssoDeclarationSchema>;

/** Validates the `sso` value of a recipe's ccci.yml; the error names every bad field by its path. */
export function parseSsoDeclaration(raw: unknown, source = "ccci.yml"): SsoDeclaration {
  const parsed = ssoDeclarationSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = ["sso", ...issue.path.map(String)].join(".");
    const keys = "keys" in issue && Array.isArray(issue.keys) ? ` ${issue.keys.join(", ")}` : "";
    // A bad record key carries the key schema's own message one level down.
    const message =
      issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    return `${path}${keys}: ${message}`;
  });
  throw new UserError(
    "SSO_DECLARATION_INVALID",
    `invalid SSO declaration in ${source}:\n  ${problems.join("\n  ")}`,
  );
}

/**
 * Every secret the declaration fills must be one the recipe has (`SECRET_<NAME>_VERSION` in .env.sample),
 * or the value would have nowhere to go. Checked before anything is deployed.
 */
export function checkSsoSecretsDeclared(declaration: SsoDeclaration, recipeSecrets: readonly string[]): void {
  const known = new Set(recipeSecrets);
  const missing = Object.keys(declaration.secrets).filter((name) => !known.has(name));
  if (missing.length === 0) return;
  const problems = missing.map(
    (name) => `sso.secrets.${name}: the recipe has no SECRET_${name.toUpperCase()}_VERSION in .env.sample`,
  );
  throw new UserError(
    "SSO_DECLARATION_INVALID",
    `invalid SSO declaration in ccci.yml:\n  ${problems.join("\n  ")}`,
  );
}
