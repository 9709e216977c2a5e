import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { AppPlan } from "./deployer.js";

/**
 * The environment abra adds to the `app` service at deploy (its `ExposeAllEnv`): every setting of the
 * app's env that the service's own `environment:` does not set. Docker renders `template_driver: golang`
 * configs and secrets from the task's environment, so this is what `{{ env "LETS_ENCRYPT_EMAIL" }}` in
 * a recipe's template reads.
 */
export function exposedEnv(app: AppPlan): Record<string, string> | undefined {
  if (!app.appEnvironmentKeys) return undefined;
  const own = new Set(app.appEnvironmentKeys);
  return Object.fromEntries(Object.entries(app.env).filter(([key]) => !own.has(key)));
}

/** An extra compose file carrying `exposedEnv` (values `$`-escaped: docker interpolates this file too). */
export function writeEnvExposureOverlay(app: AppPlan, dest: string): string | undefined {
  const env = exposedEnv(app);
  if (!env || Object.keys(env).length === 0) return undefined;
  const first = parse(readFileSync(join(app.checkoutDir, app.composeFiles[0]!), "utf8")) as {
    version?: string;
  } | null;
  const environment = Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value.replaceAll("$", "$$$$")]),
  );
  const overlay = {
    ...(first?.version ? { version: first.version } : {}),
    services: { app: { environment } },
  };
  writeFileSync(dest, stringify(overlay), { mode: 0o600 });
  return dest;
}
