import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Resource } from "../../src/deploy/deployer.js";
import { DockerCli } from "../../src/deploy/docker.js";
import { listStackResources } from "../../src/deploy/stack-resources.js";
import { SwarmDeployer } from "../../src/deploy/swarm-driver.js";
import { Redactor } from "../../src/redact.js";
import { chooseSsoProvider } from "../../src/sso/choose-provider.js";
import { ColdKeycloakProvider } from "../../src/sso/cold-provider.js";
import type { PreparedSso } from "../../src/sso/provider.js";
import { oidcDeclaration, quietLog } from "../sso/e2e-support.js";

const script = fileURLToPath(new URL("../../scripts/keycloak-up.sh", import.meta.url));
const image = `ccci/keycloak:${process.env.CCCI_KEYCLOAK_VERSION ?? "26.7.3"}-local`;
const probeImage = process.env.CCCI_PROBE_IMAGE ?? "ccci/busybox:local";
const swarmActive = await execa("docker", ["info", "--format", "{{.Swarm.LocalNodeState}}"], {
  reject: false,
}).then((r) => r.exitCode === 0 && r.stdout.trim() === "active");
if (!swarmActive)
  console.warn(
    "\n*** Keycloak cold-fallback e2e SKIPPED: no active Docker swarm (scripts/swarm-up.sh) ***\n",
  );

/** What an app on the `proxy` network sees: a probe container there, never a container address from the host. */
async function fromProxyNetwork(args: string[]): Promise<string> {
  const { stdout } = await execa("docker", [
    "run",
    "--rm",
    "--network",
    "proxy",
    probeImage,
    "wget",
    "-qO-",
    ...args,
  ]);
  return stdout;
}

describe.skipIf(!swarmActive)("cold fallback: a Keycloak co-deployed with the run (real swarm)", () => {
  let runDir: string;
  let prepared: PreparedSso | undefined;
  const docker = new DockerCli();

  beforeAll(async () => {
    await execa("bash", [script, "image"], { timeout: 280_000 });
    runDir = await mkdtemp(join(tmpdir(), "ccci-sso-cold-"));
  }, 300_000);

  afterAll(async () => {
    await prepared?.cleanup().catch(() => undefined);
    if (runDir) await rm(runDir, { recursive: true, force: true });
  });

  it("co-deploys Keycloak with the run's realm when no warm one is configured, labels it, and removes it all", async () => {
    const recorded: Resource[] = [];
    const redactor = new Redactor();
    const cold = () =>
      new ColdKeycloakProvider(
        {
          deployer: new SwarmDeployer(docker),
          docker,
          image,
          baseDomain: "ci.localhost",
          server: "default",
          instanceId: "e2e-cold",
          startTimeoutMs: 420_000,
        },
        quietLog,
      );
    const choice = await chooseSsoProvider(null, cold, quietLog);
    expect(choice.note).toBe(
      "SSO: cold fallback (no warm Keycloak is configured): Keycloak co-deployed with the run",
    );

    const started = Date.now();
    const run = {
      runId: "run-cold",
      recipe: "hello-sso",
      runDir,
      redactor,
      record: async (r: Resource) => void recorded.push(r),
    };
    prepared = await choice.provider.prepare(run, oidcDeclaration, new AbortController().signal);
    console.log(`keycloak e2e: cold fallback Keycloak healthy with the realm in ${Date.now() - started} ms`);
    expect(prepared.mode).toBe("cold-fallback");
    const stack = recorded.find((r) => r.kind === "stack")?.name;
    expect(stack).toMatch(/^kc-[0-9a-f]{6}_ci_localhost$/);

    const discovery = JSON.parse(await fromProxyNetwork([prepared.env.OIDC_DISCOVERY_URL!])) as Record<
      string,
      string
    >;
    expect(discovery.token_endpoint).toBe(prepared.env.OIDC_TOKEN_URL);
    const form = new URLSearchParams({
      grant_type: "password",
      client_id: prepared.env.OIDC_CLIENT_ID!,
      client_secret: prepared.secrets.oidc_client_secret!,
      username: prepared.env.OIDC_TEST_USER!,
      password: prepared.secrets.oidc_test_password!,
    });
    const token = JSON.parse(await fromProxyNetwork([`--post-data=${form}`, prepared.env.OIDC_TOKEN_URL!]));
    expect(token.access_token).toEqual(expect.any(String));
    expect(redactor.redact(`secret=${prepared.secrets.oidc_client_secret}`)).toBe("secret=[redacted]");

    await prepared.cleanup();
    prepared = undefined;
    const left = await listStackResources(docker, stack!);
    expect(Object.values(left).flat()).toEqual([]);
    expect(existsSync(join(runDir, "sso-keycloak"))).toBe(false);
  });
});
