import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { configCommand, isSecretName, maskValue } from "../../src/cli/config-command.js";
import { UserError } from "../../src/errors.js";
import { GENERATED_END, GENERATED_START, renderSettingsTable } from "../../src/ops/config-docs.js";

let printed: string[];
beforeEach(() => {
  printed = [];
  vi.spyOn(console, "log").mockImplementation((text: unknown) => void printed.push(String(text)));
});
afterEach(() => vi.restoreAllMocks());

const output = () => printed.join("\n");

async function refusal(argv: string[], env: NodeJS.ProcessEnv): Promise<UserError> {
  const error = await configCommand(argv, env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe("ccci config docs", () => {
  it("prints the generated settings table", async () => {
    expect(await configCommand(["docs"], {})).toBe(0);
    expect(output()).toBe(renderSettingsTable());
  });

  it("--write replaces only the generated block of the file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ccci-config-docs-")), "configuration.md");
    writeFileSync(file, `# intro\n${GENERATED_START}\nstale\n${GENERATED_END}\nhand-written\n`);
    expect(await configCommand(["docs", "--write", file], {})).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(
      `# intro\n${GENERATED_START}\n${renderSettingsTable()}\n${GENERATED_END}\nhand-written\n`,
    );
  });
});

describe("ccci config check", () => {
  it("prints every setting, marking defaults", async () => {
    expect(await configCommand(["check"], { CCCI_MAX_TESTS: "7" })).toBe(0);
    expect(output()).toMatch(/^CCCI_MAX_TESTS\s+7$/m);
    expect(output()).toMatch(/^CCCI_DRIVER\s+swarm {2}\(default\)$/m);
    expect(output()).toContain("configuration is valid");
  });

  it("refuses a bad setting with an error naming the variable", async () => {
    const error = await refusal(["check"], { CCCI_MAX_TESTS: "lots" });
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain("CCCI_MAX_TESTS");
  });

  it("--bot checks Probot's variables and masks the webhook secret", async () => {
    const secret = "s3cr3t-webhook-value";
    const key = "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n";
    const env = { APP_ID: "123", PRIVATE_KEY: key, WEBHOOK_SECRET: secret };
    expect(await configCommand(["check", "--bot"], env)).toBe(0);
    expect(output()).toMatch(/^APP_ID\s+123$/m);
    expect(output()).toMatch(/^WEBHOOK_SECRET\s+\*{8}$/m);
    expect(output()).not.toContain(secret);
    expect(output()).not.toContain("BEGIN RSA");
  });

  it("--bot names a missing Probot variable", async () => {
    const error = await refusal(["check", "--bot"], { APP_ID: "123" });
    expect(error.message).toContain("WEBHOOK_SECRET");
  });

  it.each([[[]], [["lint"]], [["docs", "extra"]], [["check", "--nope"]]])(
    "refuses usage %j",
    async (argv) => {
      expect((await refusal(argv, {})).code).toBe("USAGE");
    },
  );
});

describe("masking", () => {
  it.each([
    ["CCCI_KEYCLOAK_ADMIN_PASSWORD", "hunter22", "********"],
    ["WEBHOOK_SECRET", "abc123", "********"],
    ["CCCI_GITHUB_TOKEN", "ghp_x", "********"],
    ["CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE", "/run/keys/kc", "/run/keys/kc"],
    ["PRIVATE_KEY_PATH", "/run/keys/app.pem", "/run/keys/app.pem"],
    [
      "CCCI_KEYCLOAK_URL",
      "https://admin:pw1234@sso.example.org/x",
      "https://admin:********@sso.example.org/x",
    ],
    ["CCCI_DOMAIN", "ci.example.org", "ci.example.org"],
    ["CCCI_RECIPES", undefined, "(unset)"],
  ])("shows %s=%j as %j", (name, value, shown) => {
    expect(maskValue(name, value)).toBe(shown);
  });

  it("treats only secret-bearing names as secret", () => {
    expect(["CCCI_SECRET_SALT", "PRIVATE_KEY"].every(isSecretName)).toBe(true);
    expect(["CCCI_KEYCLOAK_URL", "CCCI_SECRET_FILE", "APP_ID"].some(isSecretName)).toBe(false);
  });
});
