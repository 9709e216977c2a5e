import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ccciSecrets, redactCcciSecretsDeep, seedCcciSecrets } from "../src/ccci-secrets.js";
import { AbraDeployer } from "../src/deploy/abra-driver.js";
import { DockerCli } from "../src/deploy/docker.js";
import { Redactor } from "../src/redact.js";
import { appPlan, recordingDeployContext } from "./support/deploy-context.js";
import { demoRecipe, writeRecipe } from "./support/recipe-dir.js";
import { standInDir, writeStandIn } from "./support/stand-in.js";

const webhookSecret = "whsec-0123456789abcdef";
const keycloakPassword = "kc-admin-Pa55word-xyz";
const key = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;
const dir = mkdtempSync(join(tmpdir(), "ccci-secrets-"));
const env = {
  WEBHOOK_SECRET: webhookSecret,
  PRIVATE_KEY_PATH: join(dir, "key.pem"),
  CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE: join(dir, "kc-password"),
};
const saved = { ...process.env };

beforeAll(() => {
  writeFileSync(env.PRIVATE_KEY_PATH, key);
  writeFileSync(env.CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE, `${keycloakPassword}\n`);
  seedCcciSecrets(env);
});
afterAll(() => {
  process.env = saved;
});

const keyLine = key.split("\n")[3]!;

describe("ccci's own secrets in run output", () => {
  const leaks: [string, string][] = [
    ["the webhook secret", `env: WEBHOOK_SECRET=${webhookSecret}`],
    ["the whole private key file", `cat key.pem:\n${key}`],
    ["one line of the private key", `partial: ${keyLine}`],
    ["the key JSON-escaped", JSON.stringify({ key })],
    ["the webhook secret base64-encoded", Buffer.from(webhookSecret).toString("base64")],
    ["the webhook secret hex-encoded", Buffer.from(webhookSecret).toString("hex")],
    ["the webhook secret URL-encoded", encodeURIComponent(webhookSecret)],
    ["the Keycloak admin password (file content)", `password: ${keycloakPassword}`],
  ];
  it.each(leaks)("masks %s in a run's redactor (a fresh one, as every run gets)", (_what, text) => {
    const out = new Redactor().redact(text);
    expect(out).toContain("[redacted]");
    for (const secret of [webhookSecret, keyLine, keycloakPassword]) expect(out).not.toContain(secret);
    expect(out).not.toContain(Buffer.from(webhookSecret).toString("base64"));
  });

  it("masks them in every string of a run record as the engine hands it out", () => {
    const run = { asserts: [{ detail: `printed ${webhookSecret}` }], logExcerpt: keyLine, notes: ["fine"] };
    expect(redactCcciSecretsDeep(run)).toEqual({
      asserts: [{ detail: "printed [redacted]" }],
      logExcerpt: "[redacted]",
      notes: ["fine"],
    });
  });

  it("does not mask the PEM's BEGIN/END lines or short values (they are no secret)", () => {
    expect(ccciSecrets()).not.toContain("-----BEGIN RSA PRIVATE KEY-----");
    expect(new Redactor().redact("-----BEGIN RSA PRIVATE KEY----- abc")).toBe(
      "-----BEGIN RSA PRIVATE KEY----- abc",
    );
  });
});

describe("the deploy tools' environment", () => {
  it("abra gets PATH, HOME and ABRA_DIR, never ccci's secrets or settings", async () => {
    process.env.WEBHOOK_SECRET = webhookSecret;
    process.env.PRIVATE_KEY_PATH = env.PRIVATE_KEY_PATH;
    const { dir: standIns, timeline } = standInDir();
    const abra = writeStandIn(standIns, "abra", timeline, {
      recordEnv: ["ABRA_DIR", "WEBHOOK_SECRET", "PRIVATE_KEY_PATH", "PATH"],
    });
    const docker = writeStandIn(standIns, "docker", timeline);
    const app = appPlan({
      domain: "demo-a1b2c3.ci.localhost",
      checkoutDir: writeRecipe(demoRecipe),
      runDir: mkdtempSync(join(tmpdir(), "ccci-run-")),
    });
    const deployer = new AbraDeployer(
      { bin: abra, sharedDir: mkdtempSync(join(tmpdir(), "ccci-abra-")) },
      new DockerCli(docker),
    );
    await deployer.deploy(app, recordingDeployContext(timeline).ctx);
    const call = timeline.calls().find((c) => c.tool === "abra");
    expect(call?.env.ABRA_DIR).toBe(join(app.runDir, "abra"));
    expect(call?.env.PATH).toBeTruthy();
    expect(call?.env.WEBHOOK_SECRET).toBeUndefined();
    expect(call?.env.PRIVATE_KEY_PATH).toBeUndefined();
  });
});
