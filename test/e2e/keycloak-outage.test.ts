import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CcciError } from "../../src/errors.js";
import { reapRealms } from "../../src/sso/reaper.js";
import { reconcileWarmKeycloak } from "../../src/sso/reconcile.js";
import { localScriptTarget } from "../../src/sso/reconcile-targets.js";
import { connectWarmKeycloak, isKeycloakHealthy, type WarmKeycloak } from "../../src/sso/warm-keycloak.js";
import {
  keycloakUrl,
  oidcDeclaration,
  quietLog,
  realmDiscoveryStatus,
  testInstanceId,
  warmSettingsForTest,
} from "../sso/e2e-support.js";

/**
 * Keycloak goes away in the middle of runs. This suite starts its OWN Keycloak on another port (so the
 * shared one other suites use is never disturbed), stops it, and starts it again.
 */
const script = fileURLToPath(new URL("../../scripts/keycloak-up.sh", import.meta.url));
const port = process.env.CCCI_KEYCLOAK_OUTAGE_PORT ?? "18180";
const scriptEnv = { ...process.env, CCCI_KEYCLOAK_PORT: port };
const never = new AbortController().signal;

async function keycloak(command: "up" | "down"): Promise<Record<string, string>> {
  const { stdout } = await execa("bash", [script, command], { env: scriptEnv, timeout: 400_000 });
  const exported = [...stdout.matchAll(/^export (CCCI_[A-Z_]+)=(.*)$/gm)];
  return Object.fromEntries(exported.map((m) => [m[1]!, m[2]!]));
}

describe.skipIf(!keycloakUrl)("Keycloak stopped mid-run (a second, private real Keycloak)", () => {
  let warm: WarmKeycloak;
  let url: string;

  beforeAll(async () => {
    const env = await keycloak("up");
    url = env.CCCI_KEYCLOAK_URL!;
    expect(url).toBe(`http://127.0.0.1:${port}`);
    warm = connectWarmKeycloak(await warmSettingsForTest(testInstanceId("outage"), env), quietLog);
  }, 400_000);

  afterAll(async () => {
    if (warm && (await isKeycloakHealthy(url))) {
      for (const { realm } of await warm.realms.listOwned()) await warm.realms.delete(realm);
    }
    await keycloak("down");
  }, 120_000);

  it("fails new runs and teardowns with an error naming Keycloak; reconcile brings it back and every realm is recovered", async () => {
    const tornDownLater = await warm.provider.prepare(
      { runId: "run-a", recipe: "hello-sso" },
      oidcDeclaration,
      never,
    );
    const orphaned = await warm.provider.prepare(
      { runId: "run-b", recipe: "hello-sso" },
      oidcDeclaration,
      never,
    );

    await keycloak("down");
    expect(await isKeycloakHealthy(url)).toBe(false);

    const refused = warm.provider.prepare({ runId: "run-c", recipe: "hello-sso" }, oidcDeclaration, never);
    await expect(refused).rejects.toBeInstanceOf(CcciError);
    await expect(refused).rejects.toMatchObject({ code: "KEYCLOAK_UNAVAILABLE" });
    await expect(refused).rejects.toThrow(`Keycloak at ${url} is unreachable while`);
    await expect(tornDownLater.cleanup()).rejects.toThrow(`Keycloak at ${url} is unreachable while`);
    await expect(orphaned.cleanup()).rejects.toThrow(/Keycloak at .* is unreachable/);

    // `ccci warm-keycloak reconcile` brings it back; a second reconcile finds nothing to do.
    const target = localScriptTarget(script, scriptEnv);
    const reconciled = await reconcileWarmKeycloak(target, { timeoutMs: 400_000 }, quietLog);
    expect(reconciled).toMatchObject({ url, action: "deployed", healthy: true });
    console.log(`keycloak e2e: reconcile restarted the private Keycloak in ${reconciled.waitedMs} ms`);
    expect(await reconcileWarmKeycloak(target, { timeoutMs: 10_000 }, quietLog)).toMatchObject({
      action: "none",
      healthy: true,
    });
    expect(await realmDiscoveryStatus(url, orphaned.realm)).toBe(200);

    // A teardown that failed while Keycloak was down can simply be retried.
    await tornDownLater.cleanup();
    expect(await realmDiscoveryStatus(url, tornDownLater.realm)).toBe(404);

    // The other run ended while Keycloak was down: its realm is an orphan, and the reaper takes it.
    const report = await reapRealms(
      warm.realms,
      { dryRun: false, ttlSeconds: 3600, isLive: () => false },
      quietLog,
    );
    expect(report.deleted).toEqual([orphaned.realm]);
    expect(await realmDiscoveryStatus(url, orphaned.realm)).toBe(404);
    expect(await warm.realms.listOwned()).toEqual([]);
  });
});
