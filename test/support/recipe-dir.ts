import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Writes a recipe directory from a map of relative path → content; paths under tests/ccci/ are executable. */
export function writeRecipe(
  files: Record<string, string>,
  parent = mkdtempSync(join(tmpdir(), "ccci-recipe-")),
  name = "demo",
): string {
  const dir = join(parent, name);
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    if (path.startsWith("tests/ccci/")) chmodSync(full, 0o755);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A small abra-shaped recipe: one app service with an HTTP port, a timeout label, a volume and a secret. */
export const demoRecipe = {
  ".env.sample": [
    "TYPE=demo",
    "DOMAIN=demo.example.com",
    "## Domain aliases",
    "#EXTRA_DOMAINS=', `www.demo.example.com`'",
    'COMPOSE_FILE="compose.yml"',
    "SECRET_API_KEY_VERSION=v1 # length=40",
    "",
  ].join("\n"),
  "compose.yml": `version: "3.8"
services:
  app:
    image: ccci/busybox:local
    secrets: [api_key]
    volumes: [data:/data]
    healthcheck:
      test: ["CMD", "true"]
    deploy:
      labels:
        - "traefik.enable=true"
        - "traefik.http.services.\${STACK_NAME}.loadbalancer.server.port=8080"
        - "coop-cloud.\${STACK_NAME}.timeout=\${TIMEOUT:-300}"
secrets:
  api_key:
    external: true
    name: \${STACK_NAME}_api_key_\${SECRET_API_KEY_VERSION}
volumes:
  data:
`,
};
