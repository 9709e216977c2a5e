import { appendFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { CcciError } from "../errors.js";
import { exec } from "../exec.js";
import type { Redactor } from "../redact.js";
import { preparePrivateAbraDir } from "./abra-dir.js";
import type { AppPlan, DeployContext, Deployer } from "./deployer.js";
import type { DockerCli } from "./docker.js";
import { PROXY_NETWORK } from "./swarm-driver.js";
import { toolEnv } from "./tool-env.js";

/** Longest an abra call may take: its own convergence wait plus a margin. */
const ABRA_TIMEOUT_MS = 7_500_000;

export interface AbraOptions {
  bin: string;
  /** The shared ABRA_DIR (servers, catalogue). */
  sharedDir: string;
}

/** abra's env file of an app: `$ABRA_DIR/servers/<server>/<domain>.env`. */
export function abraEnvFile(sharedDir: string, app: AppPlan): string {
  return join(sharedDir, "servers", app.server, `${app.domain}.env`);
}

/**
 * `app deploy` of the run's checkout: chaos (the checkout, not a catalogue version), offline, no prompts;
 * ccci does its own domain and convergence checks. `force` redeploys over a running app (an upgrade).
 */
function deployArgs(app: AppPlan, force: boolean): string[] {
  return [
    "app",
    "deploy",
    app.domain,
    "--chaos",
    ...(force ? ["--force"] : []),
    "--offline",
    "--no-input",
    "--no-domain-checks",
    "--no-converge-checks",
  ];
}

/** Values abra prints in `secret generate`'s table: every long token that is not a known word. */
function harvestSecrets(output: string, redactor: Redactor): void {
  for (const token of output.split(/[\s|]+/)) if (/^[A-Za-z0-9_-]{16,}$/.test(token)) redactor.add(token);
}

/**
 * Co-op Cloud's own CLI as the deployer. Every call runs with a private ABRA_DIR, offline, chaos (the
 * pinned checkout, not a catalogue version) and without prompts.
 */
export class AbraDeployer implements Deployer {
  readonly driver = "abra" as const;

  constructor(
    private readonly options: AbraOptions,
    private readonly docker: DockerCli,
  ) {}

  private abraDir(app: AppPlan): string {
    return join(app.runDir, "abra");
  }

  private async abra(app: AppPlan, args: string[], redactor: Redactor, signal?: AbortSignal) {
    // abra interpolates compose files from its environment: never ccci's (see tool-env.ts). It waits for
    // convergence itself (up to a recipe's timeout label, at most CCCI_TIMEOUT's 7200 s).
    const env = { ...toolEnv(), ABRA_DIR: this.abraDir(app) };
    const result = await exec(this.options.bin, args, {
      env,
      extendEnv: false,
      signal,
      timeoutMs: ABRA_TIMEOUT_MS,
    });
    if (result.spawnError)
      throw new CcciError(
        "DRIVER_UNAVAILABLE",
        `cannot run abra (${this.options.bin}): ${result.spawnError}`,
      );
    if (result.exitCode !== 0 && !result.interrupted) {
      throw new CcciError(
        "DEPLOY_FAILED",
        `abra ${args.slice(0, 2).join(" ")} failed: ${redactor.redact(result.stderr.trim() || result.stdout.trim())}`,
      );
    }
    return result;
  }

  async create(app: AppPlan, ctx: DeployContext): Promise<void> {
    await preparePrivateAbraDir(this.options.sharedDir, app.runDir, app.recipe, app.checkoutDir);
    await ctx.record({ kind: "envfile", name: abraEnvFile(this.options.sharedDir, app) });
    await this.abra(
      app,
      [
        "app",
        "new",
        app.recipe,
        "--server",
        app.server,
        "--domain",
        app.domain,
        "--chaos",
        "--offline",
        "--no-input",
      ],
      ctx.redactor,
      ctx.signal,
    );
    const extra = Object.entries(app.env).filter(
      ([key]) => !["TYPE", "DOMAIN"].includes(key) && key.startsWith("CCCI_"),
    );
    if (extra.length > 0)
      await appendFile(
        abraEnvFile(this.options.sharedDir, app),
        extra.map(([k, v]) => `${k}=${v}\n`).join(""),
      );
    for (const secret of app.secrets) await ctx.record({ kind: "secret", name: secret.dockerName });
    for (const [name, value] of Object.entries(app.secretValues ?? {})) {
      const spec = app.secrets.find((s) => s.name === name);
      ctx.redactor.add(value);
      // abra takes the value as an argument; it is short-lived and redacted from everything ccci reports.
      if (spec)
        await this.abra(
          app,
          [
            "app",
            "secret",
            "insert",
            app.domain,
            name,
            spec.version,
            value,
            "--chaos",
            "--offline",
            "--no-input",
          ],
          ctx.redactor,
          ctx.signal,
        );
    }
    if (app.secrets.some((s) => !app.secretValues?.[s.name])) {
      const generated = await this.abra(
        app,
        ["app", "secret", "generate", app.domain, "--all", "--chaos", "--offline", "--no-input"],
        ctx.redactor,
        ctx.signal,
      );
      harvestSecrets(generated.stdout, ctx.redactor);
    }
  }

  async deploy(app: AppPlan, ctx: DeployContext): Promise<void> {
    await this.docker.ensureNetwork(PROXY_NETWORK);
    await ctx.record({ kind: "stack", name: app.stack });
    await this.abra(app, deployArgs(app, false), ctx.redactor, ctx.signal);
  }

  /** A chaos deploy of the new checkout over the running app (abra refuses a redeploy without --force). */
  async upgrade(app: AppPlan, ctx: DeployContext): Promise<void> {
    await rm(join(this.abraDir(app), "recipes", app.recipe), { recursive: true, force: true });
    await preparePrivateAbraDir(this.options.sharedDir, app.runDir, app.recipe, app.checkoutDir);
    if (app.secrets.length > 0) {
      // Generates only what is missing; abra errors on secrets that exist, which is fine here.
      const generated = await this.abra(
        app,
        ["app", "secret", "generate", app.domain, "--all", "--chaos", "--offline", "--no-input"],
        ctx.redactor,
        ctx.signal,
      ).catch(() => undefined);
      if (generated) harvestSecrets(generated.stdout, ctx.redactor);
    }
    await this.abra(app, deployArgs(app, true), ctx.redactor, ctx.signal);
  }

  async undeploy(app: AppPlan, ctx: Omit<DeployContext, "signal">): Promise<void> {
    await this.abra(app, ["app", "undeploy", app.domain, "--offline", "--no-input"], ctx.redactor);
  }

  /** abra's removal commands are best effort here: the engine's sweep removes anything named after the stack. */
  async destroy(app: AppPlan, ctx: Omit<DeployContext, "signal">): Promise<void> {
    for (const args of [
      ["app", "volume", "remove", app.domain, "--force", "--offline", "--no-input"],
      ["app", "secret", "remove", app.domain, "--all", "--offline", "--no-input"],
      ["app", "remove", app.domain, "--force", "--offline", "--no-input"],
    ]) {
      await this.abra(app, args, ctx.redactor).catch((error) =>
        ctx.log.warn({ err: error }, "abra removal failed; the sweep will remove what is left"),
      );
    }
    await rm(abraEnvFile(this.options.sharedDir, app), { force: true });
  }
}
