import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderEnvFile } from "../recipe/env-file.js";
import { writeCommitOverlay } from "./commit-labels.js";
import type { AppPlan, DeployContext, Deployer } from "./deployer.js";
import type { DockerCli } from "./docker.js";
import { writeEnvExposureOverlay } from "./env-exposure.js";
import { generateSecret } from "./secrets.js";
import { removeStack, undeployStack } from "./swarm-remove.js";

/** Co-op Cloud recipes attach to Traefik's external overlay network. ccci creates it if missing, never removes it. */
export const PROXY_NETWORK = "proxy";

export function envFilePath(app: AppPlan): string {
  return join(app.runDir, `${app.domain}.env`);
}

/** The environment `docker stack deploy` interpolates from: the app's env only, plus what docker needs. */
export function deployEnv(app: AppPlan): Record<string, string> {
  const passthrough = [
    "PATH",
    "HOME",
    "DOCKER_HOST",
    "DOCKER_CONFIG",
    "DOCKER_CONTEXT",
    "DOCKER_CERT_PATH",
    "DOCKER_TLS_VERIFY",
  ];
  const base = Object.fromEntries(passthrough.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  // The host's docker settings win: a recipe's env must not redirect the docker CLI (PATH=., DOCKER_HOST=…).
  const appEnv = Object.fromEntries(Object.entries(app.env).filter(([key]) => !passthrough.includes(key)));
  return { ...appEnv, STACK_NAME: app.stack, ...base };
}

/**
 * Deploys with plain `docker stack deploy`, following abra's conventions (stack name from the domain,
 * `SECRET_*_VERSION` secrets created before the deploy, volumes `<stack>_<vol>`, COMPOSE_FILE overlays,
 * interpolation from the app's env). Lets any compose-based repository be tested without abra.
 */
export class SwarmDeployer implements Deployer {
  readonly driver = "swarm" as const;

  constructor(private readonly docker: DockerCli) {}

  async create(app: AppPlan, ctx: DeployContext): Promise<void> {
    await ctx.record({ kind: "envfile", name: envFilePath(app) });
    await writeFile(envFilePath(app), renderEnvFile(app.env), { mode: 0o600 });
    await this.ensureSecrets(app, ctx);
  }

  /** Generates and creates each declared secret that does not exist yet (an upgrade may add some). */
  private async ensureSecrets(app: AppPlan, ctx: DeployContext): Promise<void> {
    for (const secret of app.secrets) {
      const exists = await this.docker.run(["secret", "inspect", "--format", "{{.ID}}", secret.dockerName]);
      if (exists.exitCode === 0) continue;
      const value = app.secretValues?.[secret.name] ?? generateSecret(secret.length, secret.charset);
      ctx.redactor.add(value);
      await ctx.record({ kind: "secret", name: secret.dockerName });
      await this.docker.createSecret(secret.dockerName, value, { "ccci.stack": app.stack });
    }
  }

  async upgrade(app: AppPlan, ctx: DeployContext): Promise<void> {
    await writeFile(envFilePath(app), renderEnvFile(app.env), { mode: 0o600 });
    await this.ensureSecrets(app, ctx);
    await this.deploy(app, ctx);
  }

  async deploy(app: AppPlan, ctx: DeployContext): Promise<void> {
    await this.docker.ensureNetwork(PROXY_NETWORK);
    await ctx.record({ kind: "stack", name: app.stack });
    const files = app.composeFiles.flatMap((file) => ["--compose-file", file]);
    const exposure = writeEnvExposureOverlay(app, join(app.runDir, "ccci-app-env.yml"));
    if (exposure) files.push("--compose-file", exposure);
    if (app.sha && app.services && app.services.length > 0) {
      const overlay = join(app.runDir, `ccci-commit-${app.sha.slice(0, 12)}.yml`);
      writeCommitOverlay(app.checkoutDir, app.composeFiles, app.services, app.sha, overlay);
      files.push("--compose-file", overlay);
    }
    const result = await this.docker.run(
      ["stack", "deploy", "--detach=true", "--resolve-image", "never", ...files, app.stack],
      { cwd: app.checkoutDir, env: deployEnv(app), extendEnv: false, signal: ctx.signal },
    );
    if (result.exitCode !== 0 && !result.interrupted) {
      throw new Error(
        `docker stack deploy failed: ${ctx.redactor.redact(result.stderr.trim() || result.stdout.trim())}`,
      );
    }
  }

  async undeploy(app: AppPlan): Promise<void> {
    await undeployStack(this.docker, app.stack);
  }

  async destroy(app: AppPlan): Promise<void> {
    await removeStack(this.docker, app.stack);
    await rm(envFilePath(app), { force: true });
  }
}
