import { execa } from "execa";
import type { AppPlan, DeployContext, Deployer } from "../deploy/deployer.js";
import type { ReconcileTarget } from "./reconcile.js";

/**
 * The development/CI warm Keycloak: `scripts/keycloak-up.sh up` (idempotent) on loopback. The port comes
 * from `CCCI_KEYCLOAK_PORT` in `env` (18080 by default), as the script reads it.
 */
export function localScriptTarget(script: string, env: NodeJS.ProcessEnv): ReconcileTarget {
  const port = env.CCCI_KEYCLOAK_PORT ?? "18080";
  if (!/^\d{2,5}$/.test(port)) throw new Error(`CCCI_KEYCLOAK_PORT must be a port number (got ${port})`);
  return {
    url: `http://127.0.0.1:${port}`,
    deploy: async (signal) => {
      await execa("bash", [script, "up"], { env, extendEnv: false, cancelSignal: signal, stdout: "ignore" });
    },
  };
}

/**
 * The production warm Keycloak: the Co-op Cloud `keycloak` recipe as an app at its stable domain,
 * created (an existing app counts as created) and deployed through the deployer. `url` is where that
 * domain answers.
 */
export function deployerTarget(
  url: string,
  deployer: Deployer,
  plan: AppPlan,
  ctx: Omit<DeployContext, "signal">,
): ReconcileTarget {
  return {
    url,
    deploy: async (signal) => {
      await deployer.create(plan, { ...ctx, signal });
      await deployer.deploy(plan, { ...ctx, signal });
    },
  };
}
