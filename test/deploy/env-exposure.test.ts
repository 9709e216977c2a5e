import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { AppPlan } from "../../src/deploy/deployer.js";
import { exposedEnv, writeEnvExposureOverlay } from "../../src/deploy/env-exposure.js";
import { writeRecipe } from "../support/recipe-dir.js";

function app(overrides: Partial<AppPlan> = {}): AppPlan {
  const checkoutDir = writeRecipe({ "compose.yml": 'version: "3.8"\nservices:\n  app:\n    image: x\n' });
  return {
    recipe: "demo",
    domain: "demo-a1b2c3.ci.localhost",
    stack: "demo-a1b2c3_ci_localhost",
    server: "default",
    checkoutDir,
    sha: null,
    env: { DOMAIN: "demo-a1b2c3.ci.localhost", LETS_ENCRYPT_EMAIL: "ops@x.org", OWN: "mine", PRICE: "$5" },
    composeFiles: ["compose.yml"],
    secrets: [],
    runDir: checkoutDir,
    appEnvironmentKeys: ["OWN"],
    ...overrides,
  };
}

describe("the app env exposed to the app service (abra's ExposeAllEnv)", () => {
  it("is every setting the app service does not set itself", () => {
    expect(exposedEnv(app())).toEqual({
      DOMAIN: "demo-a1b2c3.ci.localhost",
      LETS_ENCRYPT_EMAIL: "ops@x.org",
      PRICE: "$5",
    });
  });

  it("is nothing for a recipe without an app service", () => {
    expect(exposedEnv(app({ appEnvironmentKeys: undefined }))).toBeUndefined();
    expect(writeEnvExposureOverlay(app({ appEnvironmentKeys: undefined }), "/nonexistent")).toBeUndefined();
  });

  it("goes into an overlay for the app service, with $ escaped for docker's interpolation", () => {
    const plan = app();
    const path = writeEnvExposureOverlay(plan, `${plan.runDir}/exposed.yml`)!;
    expect(parse(readFileSync(path, "utf8"))).toEqual({
      version: "3.8",
      services: {
        app: {
          environment: { DOMAIN: "demo-a1b2c3.ci.localhost", LETS_ENCRYPT_EMAIL: "ops@x.org", PRICE: "$$5" },
        },
      },
    });
  });
});
