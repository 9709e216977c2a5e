import type { Logger } from "../log.js";
import type { Redactor } from "../redact.js";

export type DriverName = "swarm" | "abra";

/** An external secret of the app's merged compose (`${STACK_NAME}_<name>_${SECRET_<NAME>_VERSION}`). */
export interface SecretSpec {
  /** The key under `secrets:` in the compose files (by convention the lowercased `<NAME>`). */
  name: string;
  version: string;
  /** From a `# length=N` modifier on its version's line in .env.sample, else 32. */
  length: number;
  /** From a `charset=` modifier: `special-chars` adds punctuation to letters and digits. */
  charset?: "default" | "special-chars";
  /** `${STACK_NAME}_<name>_<version>`. */
  dockerName: string;
}

/** Everything a driver needs to create, deploy and remove one app. Built by the engine, read-only here. */
export interface AppPlan {
  recipe: string;
  domain: string;
  stack: string;
  /** abra server name. */
  server: string;
  /** The recipe checked out at the pinned commit. */
  checkoutDir: string;
  sha: string | null;
  /** The app's environment: .env.sample with DOMAIN, TYPE (and later SSO settings) filled in. */
  env: Record<string, string>;
  /** Compose files from COMPOSE_FILE, relative to checkoutDir. */
  composeFiles: string[];
  secrets: SecretSpec[];
  /** Values for some of the secrets (SSO credentials), instead of generating them. */
  secretValues?: Record<string, string>;
  /** Short compose service names (for the commit labels that prove an upgrade moved). */
  services?: string[];
  /**
   * abra exposes the whole app env to the `app` service (what its `environment:` does not set itself),
   * so that `template_driver: golang` configs can render `{{ env "X" }}`. The names `app` already sets;
   * undefined when the recipe has no `app` service.
   */
  appEnvironmentKeys?: string[];
  /** A directory private to this run (abra's per-run ABRA_DIR lives here). */
  runDir: string;
}

/** A Docker-side resource a run creates; recorded in the run's journal before it is created. */
export interface Resource {
  kind:
    | "stack"
    | "service"
    | "container"
    | "volume"
    | "secret"
    | "config"
    | "network"
    | "envfile"
    | "dir"
    | "realm";
  name: string;
}

export interface DeployContext {
  log: Logger;
  redactor: Redactor;
  /** Aborted when the run is cancelled: stop waiting and return (teardown follows). */
  signal: AbortSignal;
  /** Call before creating an external resource, so teardown and crash recovery can find it. */
  record(resource: Resource): Promise<void>;
}

/**
 * A way of putting a recipe on the swarm. Both drivers produce an abra-named stack; everything that only
 * looks at the swarm (convergence, health, HTTP, closure) is driver-independent and lives elsewhere.
 * Every removal treats "already gone" as success.
 */
export interface Deployer {
  readonly driver: DriverName;
  /** Creates the app: its env file and its secrets (values go to ctx.redactor). */
  create(app: AppPlan, ctx: DeployContext): Promise<void>;
  /** Deploys the checkout at app.checkoutDir (abra: chaos + offline + no-input). */
  deploy(app: AppPlan, ctx: DeployContext): Promise<void>;
  /**
   * Moves the deployed app (same domain, same volumes) to a new checkout: creates the secrets the new
   * version adds, then redeploys (abra: chaos deploy of the new checkout, forced).
   */
  upgrade(app: AppPlan, ctx: DeployContext): Promise<void>;
  /** Removes the stack's services and networks; keeps volumes. */
  undeploy(app: AppPlan, ctx: Omit<DeployContext, "signal">): Promise<void>;
  /** Removes the app's volumes, secrets, configs and env file. */
  destroy(app: AppPlan, ctx: Omit<DeployContext, "signal">): Promise<void>;
}
