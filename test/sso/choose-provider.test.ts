import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { chooseSsoProvider } from "../../src/sso/choose-provider.js";
import type { SsoProvider } from "../../src/sso/provider.js";

const log = pino({ level: "silent" });
const coldStub: SsoProvider = {
  mode: "cold-fallback",
  prepare: () => Promise.reject(new Error("not used here")),
};

describe("chooseSsoProvider", () => {
  it("falls back to a co-deployed Keycloak when no warm one is configured, and says so", async () => {
    const choice = await chooseSsoProvider(null, () => coldStub, log);
    expect(choice.provider).toBe(coldStub);
    expect(choice.note).toBe(
      "SSO: cold fallback (no warm Keycloak is configured): Keycloak co-deployed with the run",
    );
  });

  it("falls back when the configured warm Keycloak does not answer, naming it", async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const warm = {
      adminUrl: "http://127.0.0.1:9",
      publicUrl: "http://127.0.0.1:9",
      adminUser: "admin",
      adminPassword: "unused",
      instanceId: "unit",
      requestTimeoutMs: 1_000,
    };
    const choice = await chooseSsoProvider(warm, () => coldStub, log);
    expect(choice.provider.mode).toBe("cold-fallback");
    expect(choice.note).toContain("the warm Keycloak at http://127.0.0.1:9 is not answering");
  });
});
