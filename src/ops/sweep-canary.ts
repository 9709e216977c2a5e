import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { RecipeSource, RunRequest } from "../engine/run.js";

/** The recipe name the canary runs under (its own app lock and `cana-<hex>` domains). */
export const CANARY_RECIPE = "canary";

/**
 * The canary bundled with ccci: a recipe whose healthcheck can never pass. `../../` is the package root
 * from both src/ops (vitest) and dist/ops (the build).
 */
export const bundledCanaryPath = (): string =>
  fileURLToPath(new URL("../../test/fixtures/recipes/canary", import.meta.url));

const embeddedCanary: Record<string, string> = {
  "compose.yml": `---
version: "3.8"

# THE SWEEP CANARY: this recipe must FAIL every nightly sweep. It serves pages, but its healthcheck
# looks for a file that is never there, so the generic health assert can never pass. If a sweep ever
# reports it green, the harness is blind to red and the sweep is reported BROKEN. Do not "fix" it.
services:
  app:
    image: ccci/busybox:local
    command: ["sh", "-c", "mkdir -p /www && echo canary > /www/index.html && exec httpd -f -p 8080 -h /www"]
    networks:
      - proxy
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD", "test", "-f", "/www/the-canary-must-fail"]
      interval: 2s
      timeout: 2s
      retries: 2
      start_period: 2s
    deploy:
      labels:
        - "traefik.enable=true"
        - "traefik.http.services.\${STACK_NAME}.loadbalancer.server.port=8080"
        - "coop-cloud.\${STACK_NAME}.version=0.1.0+1.0.0"
        - "coop-cloud.\${STACK_NAME}.timeout=\${TIMEOUT:-15}"
        - "ccci.canary=true"

networks:
  proxy:
    external: true
`,
  ".env.sample": `TYPE=canary
DOMAIN=canary.example.com
LETS_ENCRYPT_ENV=production
COMPOSE_FILE="compose.yml"
`,
};

/** The embedded copy (kept equal to the bundled files by a unit test). */
export const embeddedCanaryFiles = (): Record<string, string> => ({ ...embeddedCanary });

/**
 * Where the default canary is: the bundled directory in a checkout; elsewhere the embedded copy,
 * written to `<state>/sweeps/canary` so that a packaged ccci still sweeps with a canary.
 */
export async function defaultCanary(stateDir: string, bundled = bundledCanaryPath()): Promise<string> {
  if (existsSync(join(bundled, "compose.yml"))) return bundled;
  const dir = join(stateDir, "sweeps", "canary");
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(embeddedCanary)) await writeFile(join(dir, name), text);
  return dir;
}

const isGitUrl = (spec: string) => /^((https?|ssh|git|file):\/\/|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)/.test(spec);

export function canarySource(spec: string): RecipeSource {
  return isGitUrl(spec) ? { kind: "git", url: spec } : { kind: "dir", path: resolve(spec) };
}

/** A cold run of the canary: never promoted, whatever happens. */
export function canaryRequest(spec: string, sweepId: string): RunRequest {
  const source = canarySource(spec);
  return {
    repo: source.kind === "git" ? source.url : source.path,
    source,
    recipe: CANARY_RECIPE,
    mode: "cold",
    requestedBy: "sweep",
    origin: { sweep: sweepId, canary: true },
  };
}
