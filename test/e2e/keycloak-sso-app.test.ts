import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppPlan, DeployContext, Deployer } from "../../src/deploy/deployer.js";
import { DockerCli } from "../../src/deploy/docker.js";
import { listStackResources } from "../../src/deploy/stack-resources.js";
import { SwarmDeployer } from "../../src/deploy/swarm-driver.js";
import { waitForConvergence } from "../../src/engine/converge.js";
import { randomHex, stackName } from "../../src/recipe/naming.js";
import { Redactor } from "../../src/redact.js";
import type { PreparedSso } from "../../src/sso/provider.js";
import { connectWarmKeycloak, type WarmKeycloak } from "../../src/sso/warm-keycloak.js";
import {
  keycloakUrl,
  oidcDeclaration,
  quietLog,
  realmDiscoveryStatus,
  testInstanceId,
  warmSettingsForTest,
} from "../sso/e2e-support.js";

/**
 * An SSO app on the real swarm: its env carries the realm's URLs and client id, its Docker secrets the
 * client secret and test password, and its healthcheck is an OIDC password-grant login. So "converged"
 * means the app itself logged in against its run's realm. It uses the host's network so that its
 * 127.0.0.1 is the host's loopback, where the warm Keycloak of the tests listens.
 */
const compose = `version: "3.8"
services:
  app:
    image: \${PROBE_IMAGE}
    command: ["sh", "-c", "while :; do sleep 3600; done"]
    environment: [OIDC_TOKEN_URL, OIDC_CLIENT_ID, OIDC_TEST_USER]
    secrets: [oidc_client_secret, oidc_test_password]
    networks: [hostnet]
    stop_grace_period: 1s
    healthcheck:
      test:
        - CMD
        - sh
        - -c
        - >-
          wget -qO- --post-data "grant_type=password&client_id=$$OIDC_CLIENT_ID&username=$$OIDC_TEST_USER&client_secret=$$(cat /run/secrets/oidc_client_secret)&password=$$(cat /run/secrets/oidc_test_password)"
          "$$OIDC_TOKEN_URL" | grep -q access_token
      interval: 2s
      timeout: 10s
      retries: 3
      start_period: 5s
secrets:
  oidc_client_secret: { external: true, name: "\${STACK_NAME}_oidc_client_secret_v1" }
  oidc_test_password: { external: true, name: "\${STACK_NAME}_oidc_test_password_v1" }
networks:
  hostnet: { external: true, name: host }
`;

describe.skipIf(!keycloakUrl)(
  "an SSO app logs in against its run's realm (real swarm, real Keycloak)",
  () => {
    const docker = new DockerCli();
    const deployer: Deployer = new SwarmDeployer(docker);
    let warm: WarmKeycloak;
    let dir: string;
    let plan: AppPlan | undefined;
    let prepared: PreparedSso | undefined;
    const ctx: DeployContext = {
      log: quietLog,
      redactor: new Redactor(),
      signal: new AbortController().signal,
      record: async () => undefined,
    };

    beforeAll(async () => {
      warm = connectWarmKeycloak(await warmSettingsForTest(testInstanceId("app")), quietLog);
      dir = await mkdtemp(join(tmpdir(), "ccci-sso-app-"));
      await writeFile(join(dir, "compose.yml"), compose);
    });

    afterAll(async () => {
      if (plan) await deployer.destroy(plan, ctx);
      await prepared?.cleanup();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** Prepares a realm and deploys the app with it; `tamper` may change a secret before it is created. */
    async function deploySsoApp(
      tamper: (secrets: Record<string, string>) => Record<string, string> = (s) => s,
    ) {
      const domain = `ssoa-${randomHex()}.ci.localhost`;
      const stack = stackName(domain);
      const run = { runId: `run-${randomHex()}`, recipe: "sso-app", domain, redactor: ctx.redactor };
      prepared = await warm.provider.prepare(run, oidcDeclaration, ctx.signal);
      // What the engine does with a PreparedSso: env into the app's env, secrets as the recipe's secrets.
      for (const [name, value] of Object.entries(tamper(prepared.secrets))) {
        await docker.createSecret(`${stack}_${name}_v1`, value, { "ccci.stack": stack });
      }
      const env = {
        TYPE: "sso-app",
        DOMAIN: domain,
        PROBE_IMAGE: process.env.CCCI_PROBE_IMAGE ?? "ccci/busybox:local",
      };
      plan = {
        recipe: "sso-app",
        domain,
        stack,
        server: "default",
        checkoutDir: dir,
        sha: null,
        env: { ...env, ...prepared.env },
        composeFiles: ["compose.yml"],
        secrets: [],
        runDir: dir,
      };
      await deployer.create(plan, ctx);
      await deployer.deploy(plan, ctx);
      return { stack, realm: prepared.realm };
    }

    async function teardown(stack: string, realm: string): Promise<void> {
      await deployer.undeploy(plan!, ctx);
      await deployer.destroy(plan!, ctx);
      plan = undefined;
      await prepared!.cleanup();
      prepared = undefined;
      expect(await realmDiscoveryStatus(keycloakUrl!, realm)).toBe(404);
      expect(Object.values(await listStackResources(docker, stack)).flat()).toEqual([]);
    }

    it("converges only by logging in with the realm's credentials, and leaves neither stack nor realm", async () => {
      const { stack, realm } = await deploySsoApp();
      const convergence = await waitForConvergence(docker, stack, 120_000, ctx.signal);
      expect(convergence.converged).toBe(true);
      await teardown(stack, realm);
    });

    it("does not converge when the app holds a wrong password (the login really is the check)", async () => {
      const { stack, realm } = await deploySsoApp((s) => ({ ...s, oidc_test_password: "not-the-password" }));
      const convergence = await waitForConvergence(docker, stack, 30_000, ctx.signal);
      expect(convergence.converged).toBe(false);
      await teardown(stack, realm);
    });
  },
);
