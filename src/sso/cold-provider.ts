import { rm } from "node:fs/promises";
import type { DeployContext, Deployer } from "../deploy/deployer.js";
import type { DockerCli } from "../deploy/docker.js";
import { describeReplicas, waitForConvergence } from "../engine/converge.js";
import type { Logger } from "../log.js";
import { Redactor } from "../redact.js";
import { KeycloakError } from "./admin-session.js";
import { type ColdKeycloakApp, writeColdKeycloakApp } from "./cold-keycloak-app.js";
import type { SsoDeclaration } from "./declaration.js";
import { declaredOutputs, realmOutputs } from "./outputs.js";
import type { PreparedSso, SsoProvider, SsoRunContext } from "./provider.js";
import { buildRealmRepresentation, newRealmCredentials } from "./realm-plan.js";

export interface ColdKeycloakOptions {
  deployer: Deployer;
  docker: DockerCli;
  /** Local image built by `scripts/keycloak-up.sh image` (no registry is reachable). */
  image: string;
  baseDomain: string;
  server: string;
  instanceId: string;
  /** How long Keycloak may take to import the realm and answer /health/ready. */
  startTimeoutMs: number;
}

/**
 * The fallback when no warm Keycloak is configured or healthy: a Keycloak co-deployed through the
 * deployer next to the run, started with the run's realm imported, and removed with it.
 */
export class ColdKeycloakProvider implements SsoProvider {
  readonly mode = "cold-fallback" as const;

  constructor(
    private readonly options: ColdKeycloakOptions,
    private readonly log: Logger,
  ) {}

  async prepare(run: SsoRunContext, declaration: SsoDeclaration, signal: AbortSignal): Promise<PreparedSso> {
    signal.throwIfAborted();
    if (!run.runDir) throw new Error("the cold Keycloak fallback needs the run's directory (runDir)");
    const credentials = newRealmCredentials(run.recipe);
    const redactor = run.redactor ?? new Redactor();
    for (const credential of [credentials.clientSecret, credentials.password]) redactor.add(credential);
    const redirectUris = run.domain ? [`https://${run.domain}${declaration.redirect_path}`] : [];
    const tags = { owner: this.options.instanceId, runId: run.runId, createdAt: new Date().toISOString() };
    const app = await writeColdKeycloakApp({
      runDir: run.runDir,
      baseDomain: this.options.baseDomain,
      server: this.options.server,
      image: this.options.image,
      realm: buildRealmRepresentation(credentials, tags, redirectUris),
    });
    const log = this.log.child({ runId: run.runId, realm: credentials.realm, stack: app.plan.stack });
    const ctx: DeployContext = { log, redactor, signal, record: run.record ?? (async () => undefined) };
    const cleanup = () => this.remove(app, ctx);
    try {
      await this.deployAndWait(app, ctx);
    } catch (error) {
      await cleanup().catch((cleanupError: unknown) =>
        log.warn({ err: cleanupError }, "cold Keycloak cleanup failed"),
      );
      throw error;
    }
    const { env, secrets } = declaredOutputs(declaration, realmOutputs(app.publicUrl, credentials));
    return { env, secrets, realm: credentials.realm, mode: this.mode, cleanup };
  }

  private async deployAndWait(app: ColdKeycloakApp, ctx: DeployContext): Promise<void> {
    const started = Date.now();
    await this.options.deployer.create(app.plan, ctx);
    await this.options.deployer.deploy(app.plan, ctx);
    const { docker, startTimeoutMs } = this.options;
    const convergence = await waitForConvergence(docker, app.plan.stack, startTimeoutMs, ctx.signal);
    ctx.signal.throwIfAborted();
    if (!convergence.converged) {
      throw new KeycloakError(
        `the co-deployed Keycloak ${app.plan.stack} did not become healthy within ` +
          `${Math.round(startTimeoutMs / 1000)}s (${describeReplicas(convergence.services)})`,
      );
    }
    ctx.log.info({ ms: Date.now() - started }, "cold Keycloak healthy with the run's realm imported");
  }

  /** Removes the co-deployed Keycloak's stack, its realm-import secret and the mini recipe. */
  private async remove(app: ColdKeycloakApp, ctx: DeployContext): Promise<void> {
    await this.options.deployer.undeploy(app.plan, ctx);
    await this.options.deployer.destroy(app.plan, ctx);
    await rm(app.plan.checkoutDir, { recursive: true, force: true });
  }
}
