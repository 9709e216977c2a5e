import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { configCommand } from "../../src/cli/config-command.js";
import { loadSettings } from "../../src/config.js";
import { readServerEnv } from "../../src/gitea/server-env.js";
import { readGiteaConfig } from "../../src/gitea/settings.js";

const dir = mkdtempSync(join(tmpdir(), "ccci-gitea-settings-"));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const token = file("token", "0123456789abcdef0123456789abcdef01234567\n");
const secret = file("secret", "s3cret-value\n");
const base = {
  CCCI_STATE_DIR: dir,
  CCCI_FORGE: "gitea",
  CCCI_GITEA_URL: "http://127.0.0.1:13000/",
  CCCI_GITEA_TOKEN_FILE: token,
  CCCI_GITEA_WEBHOOK_SECRET_FILE: secret,
};

describe("Gitea settings", () => {
  it("reads the URL (trailing slash dropped) and both secrets from their files", () => {
    expect(readGiteaConfig(loadSettings(base))).toEqual({
      baseUrl: "http://127.0.0.1:13000",
      token: "0123456789abcdef0123456789abcdef01234567",
      webhookSecret: "s3cret-value",
    });
  });

  it("CCCI_FORGE defaults to github and refuses other forges by name", () => {
    expect(loadSettings({ CCCI_STATE_DIR: dir }).CCCI_FORGE).toBe("github");
    expect(() => loadSettings({ ...base, CCCI_FORGE: "gitlab" })).toThrow(
      /CCCI_FORGE: expected 'github' or 'gitea' \(got "gitlab"\)/,
    );
  });

  it.each([
    ["a missing URL", { CCCI_GITEA_URL: "" }, /CCCI_GITEA_URL: required with CCCI_FORGE=gitea/],
    [
      "a URL without a scheme",
      { CCCI_GITEA_URL: "git.example.org" },
      /CCCI_GITEA_URL: expected an http\(s\) URL/,
    ],
    ["an ftp URL", { CCCI_GITEA_URL: "ftp://git.example.org" }, /CCCI_GITEA_URL: expected an http\(s\) URL/],
    ["a missing token file setting", { CCCI_GITEA_TOKEN_FILE: "" }, /CCCI_GITEA_TOKEN_FILE: required/],
    [
      "a token file that does not exist",
      { CCCI_GITEA_TOKEN_FILE: join(dir, "nope") },
      /CCCI_GITEA_TOKEN_FILE: cannot read .* \(ENOENT\)/,
    ],
    [
      "an empty token file",
      { CCCI_GITEA_TOKEN_FILE: file("empty", "\n") },
      /CCCI_GITEA_TOKEN_FILE: .* is empty/,
    ],
    [
      "a token file with two words",
      { CCCI_GITEA_TOKEN_FILE: file("two", "a b\n") },
      /CCCI_GITEA_TOKEN_FILE: .* more than one word/,
    ],
    [
      "a missing webhook secret file",
      { CCCI_GITEA_WEBHOOK_SECRET_FILE: "" },
      /CCCI_GITEA_WEBHOOK_SECRET_FILE: required/,
    ],
    [
      "a secret file that is a directory",
      { CCCI_GITEA_WEBHOOK_SECRET_FILE: dir },
      /CCCI_GITEA_WEBHOOK_SECRET_FILE: cannot read .* \(EISDIR\)/,
    ],
  ])("%s stops start-up with an error naming the variable", (_name, patch, message) => {
    const error = (() => {
      try {
        readGiteaConfig(loadSettings({ ...base, ...patch }));
      } catch (thrown) {
        return thrown as Error & { code?: string };
      }
      throw new Error("no error");
    })();
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("s3cret-value");
    expect(error.message).not.toContain("0123456789abcdef");
  });

  it("the listener settings are checked too", () => {
    expect(readServerEnv({ PORT: "8080" })).toEqual({ PORT: 8080, HOST: "localhost", LOG_LEVEL: "info" });
    expect(() => readServerEnv({ PORT: "70000" })).toThrow(/PORT: expected a TCP port/);
    expect(() => readServerEnv({ LOG_LEVEL: "loud" } as unknown as NodeJS.ProcessEnv)).toThrow(/LOG_LEVEL/);
  });
});

describe("ccci config check --bot with CCCI_FORGE=gitea", () => {
  it("checks the Gitea settings instead of Probot's and shows where the secrets are, never what they are", async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((text: string) => printed.push(text));
    try {
      expect(await configCommand(["check", "--bot"], base)).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const output = printed.join("\n");
    expect(output).toContain("http://127.0.0.1:13000/api/v1");
    expect(output).toContain(`read from ${token}`);
    expect(output).not.toContain("APP_ID");
    expect(output).not.toContain("s3cret-value");
    expect(output).not.toContain("0123456789abcdef");
  });

  it("a missing secret file fails the check naming the variable", async () => {
    await expect(
      configCommand(["check", "--bot"], { ...base, CCCI_GITEA_WEBHOOK_SECRET_FILE: "" }),
    ).rejects.toThrow(/CCCI_GITEA_WEBHOOK_SECRET_FILE: required/);
  });
});
