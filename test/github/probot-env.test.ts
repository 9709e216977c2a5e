import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readProbotEnv } from "../../src/github/probot-env.js";

const key = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;
const good = { APP_ID: "12", PRIVATE_KEY: key, WEBHOOK_SECRET: "s3cret" };

describe("readProbotEnv", () => {
  it("reads Probot's standard variables, GHE included", () => {
    const env = readProbotEnv({
      ...good,
      PORT: "0",
      GHE_HOST: "127.0.0.1:8080",
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "warn",
    });
    expect(env).toMatchObject({
      appId: 12,
      port: 0,
      baseUrl: "http://127.0.0.1:8080/api/v3",
      logLevel: "warn",
    });
    expect(env.webhookPath).toBe("/api/github/webhooks");
  });

  it("takes the key from PRIVATE_KEY_PATH, or base64 / escaped-newline forms of PRIVATE_KEY", () => {
    const path = join(mkdtempSync(join(tmpdir(), "ccci-key-")), "key.pem");
    writeFileSync(path, key);
    expect(readProbotEnv({ ...good, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: path }).privateKey).toBe(key);
    expect(readProbotEnv({ ...good, PRIVATE_KEY: Buffer.from(key).toString("base64") }).privateKey).toBe(key);
    expect(readProbotEnv({ ...good, PRIVATE_KEY: key.replaceAll("\n", "\\n") }).privateKey).toBe(key);
  });

  it.each([
    ["APP_ID missing", { APP_ID: undefined }, /APP_ID: required/],
    ["APP_ID not a number", { APP_ID: "abc" }, /APP_ID: expected a positive whole number/],
    ["no key at all", { PRIVATE_KEY: undefined }, /PRIVATE_KEY: required/],
    ["a key that is not PEM", { PRIVATE_KEY: "hunter2-not-a-key" }, /PRIVATE_KEY: not a PEM/],
    [
      "an unreadable key file",
      { PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/nonexistent/key.pem" },
      /PRIVATE_KEY_PATH: cannot read/,
    ],
    ["WEBHOOK_SECRET missing", { WEBHOOK_SECRET: undefined }, /WEBHOOK_SECRET: required/],
    ["PORT out of range", { PORT: "70000" }, /PORT: expected a TCP port/],
    [
      "GHE_PROTOCOL unknown",
      { GHE_HOST: "ghe.example", GHE_PROTOCOL: "ftp" },
      /GHE_PROTOCOL: expected 'https' or 'http'/,
    ],
    ["GHE_HOST with a scheme", { GHE_HOST: "https://ghe.example" }, /GHE_HOST: expected a host name/],
    ["LOG_LEVEL unknown", { LOG_LEVEL: "loud" }, /LOG_LEVEL/],
  ])("%s stops start-up naming the variable", (_name, patch, message) => {
    expect(() => readProbotEnv({ ...good, ...(patch as Record<string, string | undefined>) })).toThrow(
      message,
    );
  });

  it("never echoes a secret in its error", () => {
    expect(() => readProbotEnv({ ...good, PRIVATE_KEY: "hunter2-not-a-key", PORT: "x" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("hunter2") }),
    );
  });
});
