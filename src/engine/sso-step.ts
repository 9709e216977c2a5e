import type { AppPlan } from "../deploy/deployer.js";
import { readRecipeMetadata } from "../recipe/metadata.js";
import { chooseSsoProvider } from "../sso/choose-provider.js";
import { ColdKeycloakProvider } from "../sso/cold-provider.js";
import { checkSsoSecretsDeclared } from "../sso/declaration.js";
import type { PreparedSso } from "../sso/provider.js";
import { warmKeycloakSettings } from "../sso/settings.js";
import { deployContext, type RunContext, step } from "./context.js";

/** The image `scripts/keycloak-up.sh image` builds for the cold fallback (no registry is reachable). */
export const COLD_KEYCLOAK_IMAGE = "ccci/keycloak:26.7.3-local";

/**
 * For a recipe whose ccci.yml declares `sso`: a realm for this run (on the warm Keycloak, else on a
 * Keycloak co-deployed with the run), its settings merged into every plan's env and its credentials
 * handed over as the recipe's secrets — all before anything of the app is deployed. Undefined when the
 * recipe declares no SSO. The declaration is checked against the recipe's secrets first.
 */
export async function prepareSso(
  ctx: RunContext,
  headDir: string,
  plans: AppPlan[],
): Promise<PreparedSso | undefined> {
  const { sso } = readRecipeMetadata(headDir);
  if (!sso) return undefined;
  for (const plan of plans)
    checkSsoSecretsDeclared(
      sso,
      plan.secrets.map((s) => s.name),
    );
  const dctx = deployContext(ctx);
  const choice = await chooseSsoProvider(
    await warmKeycloakSettings(ctx.settings),
    () =>
      new ColdKeycloakProvider(
        {
          deployer: ctx.deployer,
          docker: ctx.docker,
          image: COLD_KEYCLOAK_IMAGE,
          baseDomain: ctx.settings.CCCI_DOMAIN,
          server: ctx.settings.CCCI_SERVER,
          instanceId: ctx.settings.CCCI_INSTANCE_ID,
          startTimeoutMs: 420_000,
        },
        ctx.log,
      ),
    ctx.log,
  );
  ctx.run.notes.push(choice.note);
  const prepared = await step(
    ctx,
    "sso realm",
    () =>
      choice.provider.prepare(
        {
          runId: ctx.run.id,
          recipe: ctx.run.recipe,
          domain: ctx.run.domain,
          record: dctx.record,
          runDir: ctx.runDir,
          redactor: ctx.redactor,
        },
        sso,
        ctx.signal,
      ),
    (p) => `realm ${p.realm} (${p.mode})`,
  );
  for (const plan of plans) {
    Object.assign(plan.env, prepared.env);
    plan.secretValues = { ...plan.secretValues, ...prepared.secrets };
  }
  return prepared;
}

/** What custom asserts get to log in through the run's realm. */
export function ssoAssertEnv(sso: PreparedSso | undefined): Record<string, string> {
  if (!sso) return {};
  const env: Record<string, string> = { CCCI_SSO_REALM: sso.realm, CCCI_SSO_MODE: sso.mode, ...sso.env };
  for (const [name, value] of Object.entries(sso.secrets))
    env[`CCCI_SSO_SECRET_${name.toUpperCase()}`] = value;
  return env;
}
