import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSettings } from "../../src/config.js";
import type { AppPlan, DeployContext, Deployer } from "../../src/deploy/deployer.js";
import { DockerCli } from "../../src/deploy/docker.js";
import type { RunContext } from "../../src/engine/context.js";
import { RunJournal } from "../../src/engine/journal.js";
import type { Run, RunRequest } from "../../src/engine/run.js";
import { Redactor } from "../../src/redact.js";
import { silentLogger } from "./deploy-context.js";
import { type StandInRule, standInDir, type Timeline, writeStandIn } from "./stand-in.js";

export type DeployerCall = "create" | "deploy" | "upgrade" | "undeploy" | "destroy";

/**
 * A Deployer that marks each call on the timeline (so it interleaves with the docker stand-in's calls)
 * and runs an optional behaviour per call, e.g. throwing, or aborting the run.
 */
export class RecordingDeployer implements Deployer {
  readonly driver = "swarm" as const;

  constructor(
    private readonly timeline: Timeline,
    private readonly behaviour: Partial<
      Record<DeployerCall, (app: AppPlan, ctx: Omit<DeployContext, "signal">) => Promise<void> | void>
    > = {},
  ) {}

  private async call(name: DeployerCall, app: AppPlan, ctx: Omit<DeployContext, "signal">): Promise<void> {
    this.timeline.mark(`deployer ${name} ${app.stack}`);
    await this.behaviour[name]?.(app, ctx);
  }

  create = (app: AppPlan, ctx: DeployContext) => this.call("create", app, ctx);
  deploy = (app: AppPlan, ctx: DeployContext) => this.call("deploy", app, ctx);
  upgrade = (app: AppPlan, ctx: DeployContext) => this.call("upgrade", app, ctx);
  undeploy = (app: AppPlan, ctx: Omit<DeployContext, "signal">) => this.call("undeploy", app, ctx);
  destroy = (app: AppPlan, ctx: Omit<DeployContext, "signal">) => this.call("destroy", app, ctx);
}

export interface DockerAnswers {
  /** `docker service ls` replicas of `<stack>_app`, e.g. `1/1`. */
  replicas?: string;
  /** The container's health status in `docker inspect`. */
  health?: string;
}

/**
 * A docker stand-in for a stack with one healthy `app` service: `service ls` answers `<stack>_app 1/1`,
 * `ps -q` an id, `inspect` a running container of `<stack>_app`, `exec … wget` an HTTP 200 on stderr;
 * everything else (removals, listings of leftovers) succeeds with no output.
 */
export function dockerRules(answers: DockerAnswers = {}): StandInRule[] {
  const container = (health: string) =>
    JSON.stringify({
      Id: "c0ffee",
      Config: { Labels: { "com.docker.swarm.service.name": "STACK_app" } },
      State: { Status: "running", Health: { Status: health } },
    });
  return [
    { when: "service ls *{{.Name}} {{.Replicas}}", sh: `echo "\${stack}_app ${answers.replicas ?? "1/1"}"` },
    { when: "ps -q *", sh: `printf '%s' "$stack" > "$0.stack"; echo c0ffee` },
    {
      when: "inspect --format {{json .}} *",
      sh: `sed "s/STACK/$(cat "$0.stack")/" <<'JSON'\n${container(answers.health ?? "healthy")}\nJSON`,
    },
    { when: "exec * wget *", sh: "echo 'HTTP/1.1 200 OK' >&2" },
    // The custom-assert sandbox, played on the host: the assert from the mounted checkout, its env file.
    { when: "run *--entrypoint /recipe/*", sh: sandboxOnHost },
  ];
}

const sandboxOnHost = `checkout=; entry=; envfile=; prev=
for a in "$@"; do
  case "$prev" in
    --volume) case "$a" in *:/recipe:ro) checkout="\${a%:/recipe:ro}" ;; esac ;;
    --entrypoint) entry="$a" ;;
    --env-file) envfile="$a" ;;
  esac
  prev="$a"
done
while IFS= read -r line; do export "$line"; done < "$envfile"
cd "$checkout" && exec "$checkout\${entry#/recipe}"`;

export interface LifecycleFixture {
  ctx: RunContext;
  run: Run;
  timeline: Timeline;
  abort: AbortController;
  stateDir: string;
}

export function lifecycleFixture(options: {
  recipeDir: string;
  recipe?: string;
  request?: Partial<RunRequest>;
  docker?: DockerAnswers;
  behaviour?: ConstructorParameters<typeof RecordingDeployer>[1];
}): LifecycleFixture {
  const { dir, timeline } = standInDir();
  const dockerBin = writeStandIn(dir, "docker", timeline, { rules: dockerRules(options.docker) });
  const stateDir = mkdtempSync(join(tmpdir(), "ccci-state-"));
  const settings = loadSettings({
    CCCI_SETTLE_SECONDS: "0",
    CCCI_STATE_DIR: stateDir,
    CCCI_DOCKER_BIN: dockerBin,
  });
  const request: RunRequest = {
    repo: options.recipeDir,
    source: { kind: "dir", path: options.recipeDir },
    mode: "cold",
    ...options.request,
  };
  const run = {
    id: "20260101T000000-abcdef",
    repo: request.repo,
    sha: null,
    recipe: options.recipe ?? "demo",
    mode: "cold",
    state: "running",
    steps: [],
    tiers: [],
    asserts: [],
    notes: [],
    queuedAt: new Date().toISOString(),
    request,
  } as Run;
  const abort = new AbortController();
  const runDir = join(stateDir, "runs", run.id);
  mkdirSync(runDir, { recursive: true });
  const ctx: RunContext = {
    run,
    settings,
    log: silentLogger(),
    docker: new DockerCli(dockerBin),
    deployer: new RecordingDeployer(timeline, options.behaviour),
    redactor: new Redactor(),
    journal: RunJournal.open(stateDir, run.id),
    signal: abort.signal,
    notify: () => {},
    runDir,
  };
  return { ctx, run, timeline, abort, stateDir };
}
