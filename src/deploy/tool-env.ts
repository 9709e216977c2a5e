/**
 * The environment a deploy tool (abra, docker) runs with: what it needs to find itself and the Docker
 * daemon, and nothing else of ccci's. ccci's own environment holds its secrets (WEBHOOK_SECRET, the
 * private key, the Keycloak password file's path): a tool that interpolates compose files from its
 * environment would hand them to the recipe's containers, so it never gets them.
 */
export const TOOL_ENV_PASSTHROUGH = [
  "PATH",
  "HOME",
  "DOCKER_HOST",
  "DOCKER_CONFIG",
  "DOCKER_CONTEXT",
  "DOCKER_CERT_PATH",
  "DOCKER_TLS_VERIFY",
] as const;

export function toolEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(TOOL_ENV_PASSTHROUGH.flatMap((k) => (env[k] ? [[k, env[k]!]] : [])));
}
