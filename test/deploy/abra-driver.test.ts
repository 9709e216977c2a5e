import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AbraDeployer, abraEnvFile } from "../../src/deploy/abra-driver.js";
import { DockerCli } from "../../src/deploy/docker.js";
import { CcciError } from "../../src/errors.js";
import { appPlan, recordingDeployContext } from "../support/deploy-context.js";
import { demoRecipe, writeRecipe } from "../support/recipe-dir.js";
import { type StandInRule, standInDir, writeStandIn } from "../support/stand-in.js";

const domain = "demo-a1b2c3.ci.localhost";
const generatedSecret = "Zx8pQ2mN4vB6cD1eF3gH5jK7";

/** What the real abra does that the driver relies on: `app new` writes the app's env file. */
const abraRules: StandInRule[] = [
  {
    when: "app new *",
    sh: `mkdir -p "$ABRA_DIR/servers/default" && cp "$ABRA_DIR/recipes/demo/.env.sample" "$ABRA_DIR/servers/default/${domain}.env"`,
  },
  { when: "app secret generate *", sh: `echo "| api_key | v1 | ${generatedSecret} |"` },
];

function setUp(rules: StandInRule[] = []) {
  const { dir, timeline } = standInDir();
  const abra = writeStandIn(dir, "abra", timeline, {
    rules: [...rules, ...abraRules],
    recordEnv: ["ABRA_DIR"],
  });
  const docker = writeStandIn(dir, "docker", timeline);
  const sharedDir = mkdtempSync(join(tmpdir(), "ccci-abra-shared-"));
  const app = appPlan({
    domain,
    checkoutDir: writeRecipe(demoRecipe),
    runDir: mkdtempSync(join(tmpdir(), "ccci-run-")),
    env: { TYPE: "demo", DOMAIN: domain, CCCI_SSO_REALM: "run-realm" },
  });
  const deployer = new AbraDeployer({ bin: abra, sharedDir }, new DockerCli(docker));
  return { timeline, app, sharedDir, deployer, ...recordingDeployContext(timeline) };
}

describe("AbraDeployer", () => {
  it("creates, deploys, undeploys and removes the app with abra's commands, chaos, offline and without prompts", async () => {
    const { timeline, app, deployer, ctx } = setUp();
    await deployer.create(app, ctx);
    await deployer.deploy(app, ctx);
    await deployer.undeploy(app, ctx);
    await deployer.destroy(app, ctx);
    expect(timeline.lines().filter((l) => !l.startsWith("mark"))).toEqual([
      `abra app new demo --server default --domain ${domain} --chaos --offline --no-input`,
      `abra app secret generate ${domain} --all --chaos --offline --no-input`,
      "docker network inspect proxy",
      `abra app deploy ${domain} --chaos --offline --no-input --no-domain-checks --no-converge-checks`,
      `abra app undeploy ${domain} --offline --no-input`,
      `abra app volume remove ${domain} --force --offline --no-input`,
      `abra app secret remove ${domain} --all --offline --no-input`,
      `abra app remove ${domain} --force --offline --no-input`,
    ]);
  });

  it("runs every abra call with the run's private ABRA_DIR", async () => {
    const { timeline, app, deployer, ctx } = setUp();
    await deployer.create(app, ctx);
    await deployer.deploy(app, ctx);
    await deployer.undeploy(app, ctx);
    await deployer.destroy(app, ctx);
    const abraDirs = timeline
      .calls()
      .filter((c) => c.tool === "abra")
      .map((c) => c.env.ABRA_DIR);
    expect(abraDirs).toHaveLength(7);
    expect(new Set(abraDirs)).toEqual(new Set([join(app.runDir, "abra")]));
  });

  it("shares servers and catalogue through symlinks and keeps the checkout in the private recipes dir", async () => {
    const { app, sharedDir, deployer, ctx } = setUp();
    await deployer.create(app, ctx);
    const abraDir = join(app.runDir, "abra");
    for (const shared of ["servers", "catalogue"]) {
      expect(lstatSync(join(abraDir, shared)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(abraDir, shared))).toBe(join(sharedDir, shared));
    }
    expect(lstatSync(join(abraDir, "recipes")).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(abraDir, "recipes", "demo", "compose.yml"), "utf8")).toBe(
      demoRecipe["compose.yml"],
    );
  });

  it("records the env file and every secret, appends CCCI_ settings to abra's env file, and redacts generated secrets", async () => {
    const { timeline, app, sharedDir, deployer, ctx } = setUp();
    await deployer.create(app, ctx);
    const lines = timeline.lines();
    const envFile = abraEnvFile(sharedDir, app);
    expect(lines.indexOf(`mark record envfile ${envFile}`)).toBeLessThan(
      lines.findIndex((l) => l.startsWith("abra app new")),
    );
    for (const secret of app.secrets) {
      expect(lines.indexOf(`mark record secret ${secret.dockerName}`)).toBeLessThan(
        lines.findIndex((l) => l.startsWith("abra app secret generate")),
      );
    }
    expect(readFileSync(envFile, "utf8")).toMatch(/\nCCCI_SSO_REALM=run-realm\n$/);
    expect(ctx.redactor.redact(`password ${generatedSecret}`)).toBe("password [redacted]");
  });

  it("generates no secrets for a recipe without any", async () => {
    const { timeline, app, deployer, ctx } = setUp();
    await deployer.create({ ...app, secrets: [] }, ctx);
    expect(timeline.lines().some((l) => l.includes("secret generate"))).toBe(false);
  });

  it("destroy keeps going when an abra removal fails, and removes the env file", async () => {
    const { timeline, app, sharedDir, deployer, ctx } = setUp([
      { when: "app volume remove *", sh: "echo 'volume in use' >&2; exit 1" },
    ]);
    await deployer.create(app, ctx);
    await deployer.destroy(app, ctx);
    expect(timeline.lines().filter((l) => / remove /.test(l))).toHaveLength(3);
    expect(existsSync(abraEnvFile(sharedDir, app))).toBe(false);
  });

  it("fails with DEPLOY_FAILED and abra's message, secrets redacted", async () => {
    const { app, deployer, ctx } = setUp([
      { when: "app deploy *", sh: "echo 'FATA deploy failed: token hunter2-secret' >&2; exit 1" },
    ]);
    ctx.redactor.add("hunter2-secret");
    const error = await deployer.deploy(app, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CcciError);
    expect(error).toMatchObject({
      code: "DEPLOY_FAILED",
      message: "abra app deploy failed: FATA deploy failed: token [redacted]",
    });
  });

  it.each([
    ["a missing path", "/nonexistent/ccci-test/abra"],
    ["a name not on PATH", "ccci-no-such-abra-binary"],
  ])("fails with DRIVER_UNAVAILABLE naming the binary when abra is %s", async (_what, bin) => {
    const { app, timeline, ctx } = setUp();
    const deployer = new AbraDeployer(
      { bin, sharedDir: mkdtempSync(join(tmpdir(), "ccci-abra-shared-")) },
      new DockerCli("docker"),
    );
    const error = await deployer.create(app, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CcciError);
    expect((error as CcciError).code).toBe("DRIVER_UNAVAILABLE");
    expect((error as CcciError).message).toContain(bin);
    expect(timeline.lines().filter((l) => l.startsWith("abra"))).toEqual([]);
  });
});
