// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose and shell syntax, not templates
import { describe, expect, it } from "vitest";
import { envToRecord, parseEnvFile, renderEnvFile } from "../../src/recipe/env-file.js";

/** Shaped like a real abra recipe's .env.sample (custom-html, nextcloud): comments, hints, overlays. */
const abraSample = [
  "TYPE=nextcloud",
  "",
  "DOMAIN=nextcloud.example.com",
  "## Domain aliases",
  "#EXTRA_DOMAINS=', `www.nextcloud.example.com`'",
  "LETS_ENCRYPT_ENV=production",
  "",
  'COMPOSE_FILE="compose.yml"',
  '#COMPOSE_FILE="$COMPOSE_FILE:compose.smtp.yml"',
  "  # SMTP_HOST=mail.example.com",
  "",
  "SECRET_DB_ROOT_PASSWORD_VERSION=v1",
  "SECRET_ADMIN_PASSWORD_VERSION=v1 # length=128",
  "SECRET_SMTP_PASSWORD_VERSION=v2   #length=64 and a note",
  "export PHP_MEMORY_LIMIT=1G",
  "X_FRAME_OPTIONS='SAMEORIGIN' # quoted, then a comment",
  'GREETING="hello # not a comment"',
  "HOME_URL=https://example.com/#anchor",
  "EQUATION=a=b",
  "EMPTY=",
  "   INDENTED=yes",
  "not an assignment",
  "WINDOWS=crlf\r",
  "LAST=1",
].join("\n");

describe("parseEnvFile", () => {
  const entries = parseEnvFile(abraSample);
  const byKey = new Map(entries.map((e) => [e.key, e]));

  it("keeps only the live settings, in file order", () => {
    expect(entries.map((e) => e.key)).toEqual([
      "TYPE",
      "DOMAIN",
      "LETS_ENCRYPT_ENV",
      "COMPOSE_FILE",
      "SECRET_DB_ROOT_PASSWORD_VERSION",
      "SECRET_ADMIN_PASSWORD_VERSION",
      "SECRET_SMTP_PASSWORD_VERSION",
      "PHP_MEMORY_LIMIT",
      "X_FRAME_OPTIONS",
      "GREETING",
      "HOME_URL",
      "EQUATION",
      "EMPTY",
      "INDENTED",
      "WINDOWS",
      "LAST",
    ]);
  });

  it.each([
    ["a plain value", "DOMAIN", "nextcloud.example.com", undefined],
    ["a double-quoted value without its quotes", "COMPOSE_FILE", "compose.yml", undefined],
    [
      "a value before a `# length=` hint, with the hint as comment",
      "SECRET_ADMIN_PASSWORD_VERSION",
      "v1",
      "length=128",
    ],
    ["a hint without a space after #", "SECRET_SMTP_PASSWORD_VERSION", "v2", "length=64 and a note"],
    ["an `export`ed setting", "PHP_MEMORY_LIMIT", "1G", undefined],
    [
      "a single-quoted value followed by a comment",
      "X_FRAME_OPTIONS",
      "SAMEORIGIN",
      "quoted, then a comment",
    ],
    ["a # inside quotes as part of the value", "GREETING", "hello # not a comment", undefined],
    [
      "a # not preceded by a space as part of the value",
      "HOME_URL",
      "https://example.com/#anchor",
      undefined,
    ],
    ["everything after the first = as the value", "EQUATION", "a=b", undefined],
    ["an empty value", "EMPTY", "", undefined],
    ["an indented setting", "INDENTED", "yes", undefined],
    ["a CRLF line without the CR", "WINDOWS", "crlf", undefined],
  ])("reads %s", (_what, key, value, comment) => {
    expect(byKey.get(key)).toEqual({ key, value, ...(comment ? { comment } : {}) });
  });

  it("envToRecord keeps the last of repeated keys", () => {
    expect(envToRecord(parseEnvFile("A=1\nB=2\nA=3"))).toEqual({ A: "3", B: "2" });
  });
});

describe("renderEnvFile", () => {
  it("writes plain values bare and others double-quoted, one per line", () => {
    expect(renderEnvFile({ A: "plain-1.2:x@y", B: "two words", C: "" })).toBe(
      'A=plain-1.2:x@y\nB="two words"\nC=\n',
    );
  });

  it.each([
    [
      "plain values",
      { TYPE: "hello", DOMAIN: "hell-a1b2c3.ci.localhost", COMPOSE_FILE: "compose.yml:compose.x.yml" },
    ],
    ["empty values", { EMPTY: "" }],
    ["values with spaces and #", { MSG: "hello # world", PAD: "  padded  " }],
    [
      "values with single quotes, backticks and dollars",
      { Q: "it's", EXTRA: ", `www.x.org`", D: "$HOME ${X}" },
    ],
    ["unicode", { NAME: "Grüße" }],
    // Regression (found by these tests, fixed in src): renderEnvFile escapes `"` and `\` JSON-style inside double quotes, but parseEnvFile takes the
    // text up to the first `"` verbatim, so these values do not survive a round trip.
    ["values with a double quote", { JSON: '{"a":1}' }],
    ["values with a backslash", { PATHLIKE: "C:\\temp" }],
  ])("round-trips %s through parseEnvFile", (_what, env: Record<string, string>) => {
    expect(envToRecord(parseEnvFile(renderEnvFile(env)))).toEqual(env);
  });
});

/** godotenv's documented cases (abra reads env files with a fork of it) and abra's conventions. */
describe("parseEnvFile expands variables as abra does", () => {
  const values = (text: string, overrides?: Record<string, string>) =>
    envToRecord(parseEnvFile(text, overrides ? { overrides } : {}));

  it.each([
    [
      "bonfire's COMPOSE_FILE chaining: earlier lines visible to later ones",
      'COMPOSE_FILE="compose.yml"\nCOMPOSE_FILE="$COMPOSE_FILE:compose.postgres.yml"\nCOMPOSE_FILE="$COMPOSE_FILE:compose.meilisearch.yml"',
      "COMPOSE_FILE",
      "compose.yml:compose.postgres.yml:compose.meilisearch.yml",
    ],
    [
      "a commented-out overlay line is ignored",
      'COMPOSE_FILE="compose.yml"\n#COMPOSE_FILE="$COMPOSE_FILE:compose.mail.yml"\n# COMPOSE_FILE="$COMPOSE_FILE:compose.x.yml"',
      "COMPOSE_FILE",
      "compose.yml",
    ],
    ["${VAR} unquoted", "A=a\nB=${A}b", "B", "ab"],
    ["$VAR unquoted", "A=a\nB=x$A", "B", "xa"],
    ["a variable defined later is empty here", "B=[$A]\nA=a", "B", "[]"],
    ["an unknown variable is empty (the host's env is not read)", "B=[${HOME}]", "B", "[]"],
    ["single quotes are literal", "A=a\nB='$A ${A} \\n'", "B", "$A ${A} \\n"],
    ["double quotes expand", 'A=a\nB="<$A>"', "B", "<a>"],
    ['double quotes take \\n, \\" and \\\\ escapes', 'B="x\\ny \\"q\\" \\\\ z"', "B", 'x\ny "q" \\ z'],
    ["\\$ is a literal dollar in double quotes", 'A=a\nB="\\$A"', "B", "$A"],
    ["a lowercase name is not a variable (godotenv)", "B=$lower", "B", "$lower"],
    ["$( loses its $: no command substitution", "B=$(id)", "B", "(id)"],
    ["a trailing # comment is not part of the value", "A=a # note", "A", "a"],
    ["a # without a blank before it is", "A=http://x/#frag", "A", "http://x/#frag"],
    ["a # in double quotes is", 'A="a # b" # c', "A", "a # b"],
    ["export is allowed", "export A=1", "A", "1"],
    ["a yaml-style colon is allowed", "A: 1", "A", "1"],
    ["a multi-line double-quoted value", 'A="one\ntwo"\nB=3', "A", "one\ntwo"],
    ["${VAR:-d} with VAR unset", "B=${A:-d}", "B", "d"],
    ["${VAR:-d} with VAR empty", "A=\nB=${A:-d}", "B", "d"],
    ["${VAR-d} with VAR empty", "A=\nB=${A-d}", "B", ""],
    ["${VAR:+alt} with VAR set", "A=1\nB=${A:+alt}", "B", "alt"],
    ["${VAR:+alt} with VAR unset", "B=${A:+alt}", "B", ""],
    ["${VAR+alt} with VAR empty", "A=\nB=${A+alt}", "B", "alt"],
    [
      "bonfire's OAUTH_ISSUER=https://${DOMAIN}",
      "DOMAIN=x.org\nOAUTH_ISSUER=https://${DOMAIN}",
      "OAUTH_ISSUER",
      "https://x.org",
    ],
  ])("%s", (_what, text, key, value) => {
    expect(values(text)[key]).toBe(value);
  });

  it("keeps a modifier comment after a quoted value", () => {
    expect(parseEnvFile('SECRET_X_VERSION="v1" # length=64 charset=special-chars')).toEqual([
      { key: "SECRET_X_VERSION", value: "v1", comment: "length=64 charset=special-chars" },
    ]);
  });

  it("lets overrides (the app's DOMAIN) win where they are set, visible to the lines after", () => {
    expect(
      values("DOMAIN=demo.example.com\nURL=https://${DOMAIN}/", { DOMAIN: "demo-a1b2c3.ci.localhost" }),
    ).toEqual({ DOMAIN: "demo-a1b2c3.ci.localhost", URL: "https://demo-a1b2c3.ci.localhost/" });
  });

  it.each([
    [
      "${VAR:?err} with VAR unset, naming the variable",
      "B=${NEEDED:?set NEEDED first}",
      /B: required variable NEEDED is not set: set NEEDED first/,
    ],
    ["${VAR?err} with VAR unset", "B=${NEEDED?why}", /NEEDED is not set: why/],
    ["${VAR:?err} with VAR empty", "NEEDED=\nB=${NEEDED:?why}", /NEEDED is empty: why/],
    ["an unterminated double quote", 'A="open\nB=1', /A: unterminated double-quoted value/],
    ["an unterminated single quote", "A='open", /A: unterminated single-quoted value/],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parseEnvFile(text)).toThrow(message);
  });
});
