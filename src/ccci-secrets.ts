import { readFileSync } from "node:fs";

/**
 * ccci's own secrets (the webhook secret, the GitHub App's private key, the Keycloak admin password,
 * installation tokens), known process-wide so that every run's redactor masks them too. A pull request
 * must never get at them (it runs sandboxed, without ccci's environment or files); this is the second
 * line: if one ever leaks into run output, it is blanked before any log, comment, check run or page.
 */
const secrets = new Set<string>();

/** Shorter values would shred ordinary text; a real secret of ccci's is longer. */
const MIN_LENGTH = 8;

/** Variables whose value is a secret of ccci's. */
export const SECRET_VARIABLES = [
  "WEBHOOK_SECRET",
  "PRIVATE_KEY",
  "GITHUB_CLIENT_SECRET",
  "CCCI_KEYCLOAK_ADMIN_PASSWORD",
  "CCCI_GITEA_TOKEN",
  "GITHUB_TOKEN",
] as const;
/** Variables naming a file whose content is a secret of ccci's. */
export const SECRET_FILE_VARIABLES = ["PRIVATE_KEY_PATH", "CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE"] as const;

/** The value and the spellings an attacker's output might use: escaped, encoded, one PEM line at a time. */
function spellings(value: string): string[] {
  const forms = [
    value,
    value.replace(/\n/g, "\\n"),
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    Buffer.from(value).toString("base64"),
    Buffer.from(value).toString("hex"),
  ];
  // A PEM key's body lines are each secret; the BEGIN/END lines are not.
  const lines = value.split(/\r?\n/).map((l) => l.trim());
  if (lines.length > 1) forms.push(...lines.filter((l) => l.length >= 16 && !l.startsWith("-----")));
  return forms;
}

/** Adds one secret value (and its spellings) to the process-wide set. */
export function registerCcciSecret(value: string | undefined): void {
  const trimmed = value?.replace(/\\n/g, "\n").trim();
  if (!trimmed || trimmed.length < MIN_LENGTH) return;
  for (const form of spellings(trimmed)) if (form.length >= MIN_LENGTH) secrets.add(form);
}

/** Seeds the set from the environment and the files it names; unreadable files are someone else's error. */
export function seedCcciSecrets(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of SECRET_VARIABLES) registerCcciSecret(env[name]);
  for (const name of SECRET_FILE_VARIABLES) {
    const path = env[name];
    if (!path) continue;
    try {
      registerCcciSecret(readFileSync(path, "utf8"));
    } catch {
      // Reading the file is the job of the code that uses it; it reports the problem.
    }
  }
}

/** Every known spelling, longest first (so that a secret containing another is masked whole). */
export function ccciSecrets(): string[] {
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** Blanks ccci's secrets out of a text. */
export function redactCcciSecrets(text: string): string {
  let out = text;
  for (const secret of ccciSecrets()) if (out.includes(secret)) out = out.split(secret).join("[redacted]");
  return out;
}

/** Blanks ccci's secrets out of every string of plain JSON data (a run record). */
export function redactCcciSecretsDeep<T>(value: T): T {
  if (secrets.size === 0) return value;
  if (typeof value === "string") return redactCcciSecrets(value) as T;
  if (Array.isArray(value)) return value.map(redactCcciSecretsDeep) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactCcciSecretsDeep(v)])) as T;
  return value;
}
