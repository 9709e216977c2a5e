import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadSettings, settingNames } from "../config.js";
import { UserError } from "../errors.js";
import { checkGiteaBot } from "../gitea/config-check.js";
import { readProbotEnv } from "../github/probot-env.js";
import { renderSettingsTable, replaceGeneratedBlock } from "../ops/config-docs.js";

export const configUsage = `usage: ccci config docs [--write FILE]
       ccci config check [--bot]

docs    prints the reference table of every CCCI_* setting (markdown, generated from the schema);
        --write FILE replaces the generated block of FILE (docs/configuration.md) in place.
check   reads the CCCI_* settings from the environment and prints them, secrets masked; --bot also
        checks Probot's variables (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, …), or with
        CCCI_FORGE=gitea the Gitea URL and both secret files (docs/gitea.md).
Exit code 0 when the configuration is valid, 2 with the offending variable named when it is not.`;

const MASK = "********";

/** Values that are secrets by name; *_FILE and *_PATH settings only point at a secret and are shown. */
export function isSecretName(name: string): boolean {
  return /(PASSWORD|SECRET|TOKEN|PRIVATE_KEY)/.test(name) && !/_(FILE|PATH)$/.test(name);
}

/** Masks a secret setting, and the password of any `scheme://user:password@host` URL in a value. */
export function maskValue(name: string, value: unknown): string {
  if (value === undefined) return "(unset)";
  if (isSecretName(name)) return MASK;
  const text = typeof value === "object" && value !== null ? describeStructured(value) : String(value);
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/gi, `$1${MASK}@`);
}

/** Parsed settings such as disk thresholds are objects: show them as they were written. */
function describeStructured(value: object): string {
  const v = value as { kind?: string; percent?: number; bytes?: number };
  if (v.kind === "percent") return `${v.percent}%`;
  if (v.kind === "bytes") return `${v.bytes} bytes`;
  return JSON.stringify(value);
}

function line(name: string, value: unknown, fromEnv: boolean): string {
  const origin = fromEnv || value === undefined ? "" : "  (default)";
  return `${name.padEnd(36)} ${maskValue(name, value)}${origin}`;
}

function checkSettings(env: NodeJS.ProcessEnv): string[] {
  const settings = loadSettings(env);
  return settingNames.map((name) => line(name, settings[name], env[name] !== undefined && env[name] !== ""));
}

function checkProbot(env: NodeJS.ProcessEnv): string[] {
  const probot = readProbotEnv(env);
  const given = (name: string) => env[name] !== undefined && env[name] !== "";
  return [
    line("APP_ID", probot.appId, true),
    given("PRIVATE_KEY")
      ? line("PRIVATE_KEY", "(set)", true)
      : line("PRIVATE_KEY_PATH", env.PRIVATE_KEY_PATH, true),
    line("WEBHOOK_SECRET", probot.secret, true),
    line("PORT", probot.port, given("PORT")),
    line("WEBHOOK_PATH", probot.webhookPath, given("WEBHOOK_PATH")),
    line("LOG_LEVEL", probot.logLevel, given("LOG_LEVEL")),
    line("GitHub API", probot.baseUrl ?? "https://api.github.com", given("GHE_HOST")),
  ];
}

async function docs(write: string | undefined): Promise<number> {
  const table = renderSettingsTable();
  if (!write) {
    console.log(table);
    return 0;
  }
  const document = await readFile(write, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UserError("USAGE", `cannot read ${write} (${error.code})`);
  });
  let updated: string;
  try {
    updated = replaceGeneratedBlock(document, table);
  } catch (error) {
    throw new UserError("USAGE", `${write}: ${(error as Error).message}`);
  }
  if (updated !== document) await writeFile(write, updated);
  console.log(updated === document ? `${write} is up to date` : `${write} updated`);
  return 0;
}

function parseConfigArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        write: { type: "string" },
        bot: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UserError("USAGE", `${(error as Error).message}\n${configUsage}`);
  }
}

/** `ccci config docs|check`: the reference table, or a check of this environment's configuration. */
export async function configCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseConfigArgs(argv);
  const [sub, ...extra] = positionals;
  if (values.help) {
    console.log(configUsage);
    return 0;
  }
  if (extra.length > 0 || (sub !== "docs" && sub !== "check"))
    throw new UserError("USAGE", `expected 'config docs' or 'config check'\n${configUsage}`);
  if (sub === "docs") return docs(values.write);
  const botCheck = loadSettings(env).CCCI_FORGE === "gitea" ? checkGiteaBot : checkProbot;
  const lines = [...checkSettings(env), ...(values.bot ? botCheck(env) : [])];
  console.log(lines.join("\n"));
  console.log("configuration is valid");
  return 0;
}
