import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { reconcileWarmKeycloak } from "../../src/sso/reconcile.js";

const log = pino({ level: "silent" });

/** A Keycloak stand-in whose health is a script of answers; records every deploy. */
function scripted(answers: boolean[]) {
  const deploys: string[] = [];
  const probes: boolean[] = [];
  return {
    deploys,
    target: { url: "http://kc.test", deploy: async () => void deploys.push("deploy") },
    isHealthy: async () => {
      const answer = answers.shift() ?? answers.at(-1) ?? false;
      probes.push(answer);
      return answer;
    },
  };
}

describe("reconcileWarmKeycloak", () => {
  it("leaves a healthy Keycloak alone", async () => {
    const kc = scripted([true]);
    const report = await reconcileWarmKeycloak(kc.target, { timeoutMs: 1_000, isHealthy: kc.isHealthy }, log);
    expect(report).toMatchObject({ action: "none", healthy: true });
    expect(kc.deploys).toEqual([]);
  });

  it("deploys an unhealthy Keycloak and waits until it answers", async () => {
    const kc = scripted([false, false, false, true]);
    const options = { timeoutMs: 5_000, pollMs: 1, isHealthy: kc.isHealthy };
    const report = await reconcileWarmKeycloak(kc.target, options, log);
    expect(report).toMatchObject({
      action: "deployed",
      healthy: true,
      message: "deployed Keycloak at http://kc.test; healthy",
    });
    expect(kc.deploys).toEqual(["deploy"]);
  });

  it("reports a Keycloak that stays unhealthy after the deploy", async () => {
    const kc = scripted([false]);
    const options = { timeoutMs: 50, pollMs: 5, isHealthy: kc.isHealthy };
    const report = await reconcileWarmKeycloak(kc.target, options, log);
    expect(report.healthy).toBe(false);
    expect(report.message).toMatch(/not healthy after \d+s/);
  });
});
