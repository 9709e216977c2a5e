import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { planApp } from "../../src/recipe/plan.js";
import { allowanceSchema, recipePolicy } from "../../src/recipe/policy-allow.js";
import { refuseEscapingSymlinks } from "../../src/recipe/recipe-files.js";
import { parseEnrolment } from "../../src/warm/enrolment.js";
import { fixture } from "../e2e/support/cli.js";
import { editCompose, hostileCases, hostileRecipe } from "../support/hostile-recipes.js";

const caps = { CCCI_MAX_REPLICAS: 10, CCCI_MAX_TIMEOUT: 1800 };

function plan(dir: string, allow: string[] = [], recipe = "hello") {
  return planApp({
    recipe,
    checkoutDir: dir,
    sha: null,
    domain: "hell-a1b2c3.ci.localhost",
    server: "default",
    runDir: "/nonexistent-run-dir",
    policy: recipePolicy(caps, allow),
  });
}

function refusal(dir: string, allow: string[] = []): UserError {
  try {
    plan(dir, allow);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error("expected the plan to be refused");
}

describe("the compose policy on hostile recipes", () => {
  it.each(hostileCases)("refuses $name, naming file, service and key", (hostile) => {
    const error = refusal(hostileRecipe(hostile), hostile.allow);
    expect(error.code).toBe(hostile.code);
    expect(error.message).toMatch(hostile.message);
    if (hostile.absent) expect(error.message).not.toContain(hostile.absent);
  });
});

describe("the compose policy on recipes it must let through", () => {
  const bundled = [
    "hello",
    "dataheavy",
    "canary",
    "bad-custom",
    "unhealthy",
    "never-converges",
    "dies-after-healthy",
    "ssoapp",
  ];
  it.each(bundled)("plans the bundled fixture %s", (name) => {
    // ssoapp joins the host network to reach the test Keycloak: its tests' enrolment allows that.
    const allow = name === "ssoapp" ? ["network_mode:host"] : [];
    expect(plan(fixture(name), allow, name).plan.stack).toBe("hell-a1b2c3_ci_localhost");
  });

  it("refuses the SSO fixture's host network without the operator's exception", () => {
    expect(refusal(fixture("ssoapp")).message).toMatch(
      /compose\.yml: networks\.hostnet: name: joins the host's network \(host networking\).*allow: \[network_mode:host\]/,
    );
  });

  it("lets a symlink that stays inside the checkout through", () => {
    const dir = hostileRecipe({ name: "inside", mutate: () => {}, code: "RECIPE_POLICY", message: /./ });
    mkdirSync(join(dir, "docs"));
    symlinkSync("../compose.yml", join(dir, "docs", "compose-link.yml"));
    expect(() => plan(dir)).not.toThrow();
  });

  const allowed: [string, (dir: string) => void, string[]][] = [
    [
      "the socket with docker-socket",
      (dir) =>
        editCompose(dir, (c) => c.services.app.volumes.push("/var/run/docker.sock:/var/run/docker.sock")),
      ["docker-socket"],
    ],
    [
      "a bind of that exact path with bind-mount:",
      (dir) => editCompose(dir, (c) => c.services.app.volumes.push("/srv/shared:/shared")),
      ["bind-mount:/srv/shared"],
    ],
    [
      "every port with port:*",
      (dir) =>
        editCompose(
          dir,
          (c) => (c.services.app.ports = ["8080:8080", { target: 9000, published: 9000, mode: "host" }]),
        ),
      ["port:*"],
    ],
    [
      "cap_add with cap_add:<CAP>",
      (dir) => editCompose(dir, (c) => (c.services.app.cap_add = ["NET_ADMIN"])),
      ["cap_add:NET_ADMIN"],
    ],
    [
      "sysctls (namespaced, docker allows no other) and no-new-privileges",
      (dir) =>
        editCompose(dir, (c) => {
          c.services.app.sysctls = { "net.core.somaxconn": 1024 };
          c.services.app.security_opt = ["no-new-privileges:true"];
        }),
      [],
    ],
    ["10 replicas, the cap", (dir) => editCompose(dir, (c) => (c.services.app.deploy.replicas = 10)), []],
  ];
  it.each(allowed)("allows %s", (_what, mutate, allow) => {
    const dir = hostileRecipe({ name: "allowed", mutate, code: "RECIPE_POLICY", message: /./ });
    expect(() => plan(dir, allow)).not.toThrow();
    if (allow.length > 0) expect(() => plan(dir)).toThrow(/refused by ccci's compose policy/);
  });

  it("does not let an exception for one path allow another", () => {
    const dir = hostileRecipe({
      name: "other path",
      mutate: (d) => editCompose(d, (c) => c.services.app.volumes.push("/etc:/etc2")),
      code: "RECIPE_POLICY",
      message: /./,
    });
    expect(refusal(dir, ["bind-mount:/srv/shared", "docker-socket"]).message).toMatch(/host path \/etc /);
  });

  it("raises the caps only through the settings", () => {
    const dir = hostileRecipe({
      name: "replicas",
      mutate: (d) => editCompose(d, (c) => (c.services.app.deploy.replicas = 11)),
      code: "RECIPE_POLICY",
      message: /./,
    });
    expect(refusal(dir).message).toMatch(/asks for 11 replicas/);
    const raised = planApp({
      recipe: "hello",
      checkoutDir: dir,
      sha: null,
      domain: "hell-a1b2c3.ci.localhost",
      server: "default",
      runDir: "/x",
      policy: recipePolicy({ ...caps, CCCI_MAX_REPLICAS: 11 }),
    });
    expect(raised.plan.services).toEqual(["app"]);
  });
});

describe("the checkout scan", () => {
  it("refuses a checkout with more entries than its bound, and takes one at the bound", () => {
    const dir = hostileRecipe({ name: "many", mutate: () => {}, code: "RECIPE_POLICY", message: /./ });
    for (let i = 0; i < 10; i++) writeFileSync(join(dir, `f${i}`), "");
    // hello: .env.sample, README.md, abra.sh, compose.yml, tests, tests/ccci, the assert = 7, + 10 files.
    expect(() => refuseEscapingSymlinks(dir, 17)).not.toThrow();
    expect(() => refuseEscapingSymlinks(dir, 16)).toThrow(/more than 16 files and directories; refused/);
  });
});

describe("the enrolment's allow list", () => {
  const enrol = (allow: string) =>
    `recipes:\n  traefik:\n    repo: https://example.org/traefik.git\n    allow: ${allow}\n`;
  it("reads an operator's exceptions", () => {
    expect(
      parseEnrolment(enrol("[docker-socket, 'cap_add:NET_ADMIN', 'port:443']"), "recipes.yml").recipes.traefik
        ?.allow,
    ).toEqual(["docker-socket", "cap_add:NET_ADMIN", "port:443"]);
  });
  it.each(["[everything]", "['privileged:yes']", "['bind-mount:']", "['docker-socket:x']"])(
    "refuses the exception %s",
    (allow) => {
      expect(() => parseEnrolment(enrol(allow), "recipes.yml")).toThrow(
        /recipes\.yml:\d+: recipes\.traefik\.allow\.0: expected an exception/,
      );
    },
  );
  it("refuses more than 100 exceptions", () => {
    const many = `[${Array.from({ length: 101 }, (_, i) => `'port:${i + 1}'`).join(", ")}]`;
    expect(() => parseEnrolment(enrol(many), "recipes.yml")).toThrow(/at most 100 exceptions/);
    expect(allowanceSchema.safeParse("port:1").success).toBe(true);
  });
});
