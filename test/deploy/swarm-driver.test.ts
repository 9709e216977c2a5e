// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose and shell syntax, not templates
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DockerCli } from "../../src/deploy/docker.js";
import { SwarmDeployer } from "../../src/deploy/swarm-driver.js";
import { envToRecord, parseEnvFile } from "../../src/recipe/env-file.js";
import { appPlan, recordingDeployContext } from "../support/deploy-context.js";
import { writeRecipe } from "../support/recipe-dir.js";
import { type StandInRule, standInDir, type Timeline, writeStandIn } from "../support/stand-in.js";

const HOST_ONLY = "CCCI_UNIT_HOST_ONLY_VAR";

/** Docker as on a fresh swarm: no secret exists yet; everything else succeeds silently. */
const noSecretsYet: StandInRule = {
  when: "secret inspect *",
  sh: "echo 'Error: no such secret' >&2; exit 1",
};

function setUp(rules: StandInRule[] = []) {
  const { dir, timeline } = standInDir();
  const docker = writeStandIn(dir, "docker", timeline, {
    rules: [...rules, noSecretsYet],
    recordEnv: [
      "STACK_NAME",
      "DOMAIN",
      "GREETING",
      "SECRET_API_KEY_VERSION",
      HOST_ONLY,
      "PATH",
      "DOCKER_HOST",
    ],
    stdinWhen: ["secret create *"],
  });
  const app = appPlan({
    checkoutDir: writeRecipe({ "compose.yml": "services: {}\n" }),
    runDir: mkdtempSync(join(tmpdir(), "ccci-run-")),
  });
  return {
    timeline,
    app,
    deployer: new SwarmDeployer(new DockerCli(docker)),
    ...recordingDeployContext(timeline),
  };
}

const app0 = appPlan({ checkoutDir: "", runDir: "" });
const dockerCalls = (timeline: Timeline) => timeline.calls().filter((c) => c.tool === "docker");

describe("SwarmDeployer.create", () => {
  it("records then creates each secret, its value on stdin only, into the redactor", async () => {
    const { timeline, app, deployer, ctx } = setUp();
    await deployer.create(app, ctx);
    const [apiKey, dbPassword] = app.secrets.map((s) => s.dockerName);
    expect(timeline.lines().filter((line) => !line.includes("secret inspect"))).toEqual([
      `mark record envfile ${join(app.runDir, `${app.domain}.env`)}`,
      `mark record secret ${apiKey}`,
      `docker secret create --label ccci.stack=${app.stack} ${apiKey} -`,
      `mark record secret ${dbPassword}`,
      `docker secret create --label ccci.stack=${app.stack} ${dbPassword} -`,
    ]);
    const creates = dockerCalls(timeline).filter((c) => c.args[1] === "create");
    expect(creates.map((c) => c.stdin?.length)).toEqual([40, 16]);
    for (const call of creates) {
      const value = call.stdin!;
      expect(value).toMatch(/^[A-Za-z0-9]+$/);
      expect(call.args.join(" ")).not.toContain(value);
      expect(ctx.redactor.redact(`leaked ${value}!`)).toBe("leaked [redacted]!");
    }
    expect(creates[0]!.stdin).not.toBe(creates[1]!.stdin);
  });

  it("writes the app's env file readable by its owner only", async () => {
    const { app, deployer, ctx } = setUp();
    await deployer.create(app, ctx);
    const path = join(app.runDir, `${app.domain}.env`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(envToRecord(parseEnvFile(readFileSync(path, "utf8")))).toEqual(app.env);
  });

  it("neither records nor re-creates a secret that already exists", async () => {
    const { timeline, app, deployer, ctx, recorded } = setUp([
      { when: `secret inspect --format {{.ID}} ${app0.secrets[0]!.dockerName}`, sh: "echo id1" },
    ]);
    await deployer.create(app, ctx);
    expect(recorded.map((r) => r.name)).toEqual([
      join(app.runDir, `${app.domain}.env`),
      app.secrets[1]!.dockerName,
    ]);
    expect(timeline.lines().filter((l) => l.includes("secret create"))).toHaveLength(1);
  });

  it("accepts a secret created by someone else in between (already exists)", async () => {
    const { app, deployer, ctx } = setUp([
      {
        when: "secret create *",
        sh: "echo 'Error response from daemon: secret x already exists' >&2; exit 1",
      },
    ]);
    await expect(deployer.create(app, ctx)).resolves.toBeUndefined();
  });

  it("fails with docker's message when a secret cannot be created", async () => {
    const { app, deployer, ctx } = setUp([
      { when: "secret create *", sh: "echo 'permission denied' >&2; exit 1" },
    ]);
    await expect(deployer.create(app, ctx)).rejects.toThrow(
      `cannot create secret ${app.secrets[0]!.dockerName}: permission denied`,
    );
  });
});

describe("SwarmDeployer.deploy", () => {
  beforeEach(() => {
    process.env[HOST_ONLY] = "host secret that must not reach the stack";
  });
  afterEach(() => {
    delete process.env[HOST_ONLY];
  });

  it("creates the proxy network when missing, records the stack, then runs stack deploy with every compose file", async () => {
    const { timeline, app, deployer, ctx } = setUp([
      { when: "network inspect proxy", sh: "echo 'Error: No such network: proxy' >&2; exit 1" },
    ]);
    await deployer.deploy(app, ctx);
    expect(timeline.lines()).toEqual([
      "docker network inspect proxy",
      "docker network create --driver overlay --attachable proxy",
      `mark record stack ${app.stack}`,
      `docker stack deploy --detach=true --resolve-image never --compose-file compose.yml --compose-file compose.extra.yml ${app.stack}`,
    ]);
  });

  it("leaves an existing proxy network alone", async () => {
    const { timeline, app, deployer, ctx } = setUp();
    await deployer.deploy(app, ctx);
    expect(timeline.lines().filter((line) => line.includes("network"))).toEqual([
      "docker network inspect proxy",
    ]);
  });

  it("deploys from the checkout with STACK_NAME and the app's env, and none of the host's other variables", async () => {
    const { timeline, app, deployer, ctx } = setUp();
    await deployer.deploy(app, ctx);
    const deploy = dockerCalls(timeline).find((c) => c.args[0] === "stack")!;
    expect(deploy.cwd).toBe(app.checkoutDir);
    expect(deploy.env).toEqual({
      STACK_NAME: app.stack,
      DOMAIN: app.domain,
      GREETING: "hello world",
      SECRET_API_KEY_VERSION: "v1",
      [HOST_ONLY]: undefined,
      PATH: process.env.PATH,
      DOCKER_HOST: process.env.DOCKER_HOST,
    });
  });

  // Regression (found by these tests, fixed in src): deployEnv spreads the app's env (from the recipe's .env.sample) over the host's PATH, HOME and
  // DOCKER_* variables, so a recipe can choose which `docker` binary runs (PATH=. with a `docker` script
  // in the checkout, the deploy's working directory) or which daemon and credential helpers it talks to.
  // Fix: spread the pass-through variables last: `{ ...app.env, STACK_NAME: app.stack, ...base }`.
  it("does not let the recipe's env redirect the docker CLI (PATH, DOCKER_HOST)", async () => {
    const { timeline, app, deployer, ctx } = setUp();
    await deployer.deploy(
      { ...app, env: { ...app.env, PATH: ".", DOCKER_HOST: "tcp://203.0.113.9:2375" } },
      ctx,
    );
    const deploy = dockerCalls(timeline).find((c) => c.args[0] === "stack")!;
    expect([deploy.env.PATH, deploy.env.DOCKER_HOST]).toEqual([process.env.PATH, process.env.DOCKER_HOST]);
  });

  it("fails with docker's message, secrets redacted", async () => {
    const { app, deployer, ctx } = setUp([
      { when: "stack deploy *", sh: "echo 'service app: invalid mount, token=abcd1234efgh' >&2; exit 1" },
    ]);
    ctx.redactor.add("abcd1234efgh");
    const error = await deployer.deploy(app, ctx).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      "docker stack deploy failed: service app: invalid mount, token=[redacted]",
    );
  });
});

describe("SwarmDeployer removal", () => {
  it("undeploy removes the stack and waits until its services and networks are gone", async () => {
    const { timeline, app, deployer } = setUp();
    await deployer.undeploy(app);
    const lines = timeline.lines();
    expect(lines[0]).toBe(`docker stack rm ${app.stack}`);
    const byStack = `--filter label=com.docker.stack.namespace=${app.stack}`;
    for (const kind of ["service ls -q", "ps -aq", "network ls -q"])
      expect(lines).toContain(`docker ${kind} ${byStack}`);
    expect(lines.some((l) => l.includes(" rm ") && !l.startsWith("docker stack rm"))).toBe(false);
  });

  it("destroy removes the stack, whatever is still named after it, and the env file", async () => {
    // The stand-in lists a leftover volume and secret (by name prefix) until they have been removed.
    const { timeline, app, deployer, ctx } = setUp([
      { when: "volume ls *name=*", sh: '[ -e "$0.volume-gone" ] || echo "${name_filter}data"' },
      { when: "volume rm *", sh: 'touch "$0.volume-gone"' },
      { when: "secret ls *name=*", sh: '[ -e "$0.secret-gone" ] || echo "${name_filter}api_key_v1"' },
      { when: "secret rm *", sh: 'touch "$0.secret-gone"' },
    ]);
    await deployer.create(app, ctx);
    await deployer.destroy(app);
    const removals = timeline.lines().filter((l) => / (stack|volume|secret) rm /.test(l));
    expect(removals).toEqual([
      `docker stack rm ${app.stack}`,
      `docker volume rm ${app.stack}_data`,
      `docker secret rm ${app.stack}_api_key_v1`,
    ]);
    expect(existsSync(join(app.runDir, `${app.domain}.env`))).toBe(false);
  });
});
