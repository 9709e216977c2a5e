import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type RealmRepresentation from "@keycloak/keycloak-admin-client/lib/defs/realmRepresentation.js";
import type { AppPlan } from "../deploy/deployer.js";
import { randomHex, stackName } from "../recipe/naming.js";

/** The port the co-deployed Keycloak listens on inside the `proxy` network. */
export const COLD_KEYCLOAK_PORT = 8080;

/**
 * The cold fallback's Keycloak, as a tiny abra-shaped recipe written into the run's directory. It runs
 * the image's pre-built (production-mode, H2 file database) server on plain HTTP inside the swarm. The
 * run's realm is imported at start-up from a file secret (it holds the client secret and the test
 * user's password), so no admin account is needed at all. The service is reached by apps on the
 * `proxy` network under a short alias; swarm counts it running only once /health/ready answers.
 */
const composeFile = `version: "3.8"
services:
  app:
    image: \${KEYCLOAK_IMAGE}
    command:
      - start
      - --optimized
      - --http-enabled=true
      - --http-host=0.0.0.0
      - --http-port=${COLD_KEYCLOAK_PORT}
      - --hostname-strict=false
      - --import-realm
    networks:
      proxy:
        aliases: ["\${KEYCLOAK_ALIAS}"]
    secrets:
      - source: realm
        target: /opt/keycloak/data/import/realm.json
    stop_grace_period: 5s
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9000/health/ready"]
      interval: 5s
      timeout: 5s
      retries: 3
      start_period: 600s
    deploy:
      # DNS round robin, not a virtual IP: apps reach the task directly (service VIPs do not route on
      # every swarm, this CI host's included), and there is only ever one replica.
      endpoint_mode: dnsrr
      restart_policy:
        condition: on-failure
        max_attempts: 1
      labels:
        - "coop-cloud.\${STACK_NAME}.version=ccci-cold-keycloak"
secrets:
  realm:
    file: ./realm.json
networks:
  proxy:
    external: true
`;

export interface ColdKeycloakApp {
  plan: AppPlan;
  /** Host name apps use to reach this Keycloak on the `proxy` network. */
  alias: string;
  publicUrl: string;
}

/** Writes the mini recipe (compose file + realm import, mode 600) and plans its app. */
export async function writeColdKeycloakApp(input: {
  runDir: string;
  baseDomain: string;
  server: string;
  image: string;
  realm: RealmRepresentation;
}): Promise<ColdKeycloakApp> {
  const alias = `kc-${randomHex()}`;
  const domain = `${alias}.${input.baseDomain}`;
  const checkoutDir = join(input.runDir, "sso-keycloak");
  await mkdir(checkoutDir, { recursive: true, mode: 0o700 });
  await writeFile(join(checkoutDir, "compose.yml"), composeFile);
  await writeFile(join(checkoutDir, "realm.json"), JSON.stringify(input.realm), { mode: 0o600 });
  const plan: AppPlan = {
    recipe: "keycloak",
    domain,
    stack: stackName(domain),
    server: input.server,
    checkoutDir,
    sha: null,
    env: { TYPE: "keycloak", DOMAIN: domain, KEYCLOAK_IMAGE: input.image, KEYCLOAK_ALIAS: alias },
    composeFiles: ["compose.yml"],
    secrets: [],
    runDir: input.runDir,
  };
  return { plan, alias, publicUrl: `http://${alias}:${COLD_KEYCLOAK_PORT}` };
}
