import type { SecretSpec } from "../deploy/deployer.js";
import { UserError } from "../errors.js";
import type { ComposeModel } from "./compose.js";
import type { EnvEntry } from "./env-file.js";

/** The `charset=` modifier's values: letters and digits (abra's default), or those plus punctuation. */
export const secretCharsets = ["default", "special-chars"] as const;
export type SecretCharset = (typeof secretCharsets)[number];

/** Generated secrets are at least this long and at most this long, whatever `length=` says. */
export const SECRET_LENGTH = { min: 8, max: 512, default: 32 } as const;

/** abra's modifiers: `key=value` words in the comment after a setting (`v1 # length=64 charset=…`). */
export function modifiersOf(comment: string | undefined): Record<string, string> {
  return Object.fromEntries(
    [...(comment ?? "").matchAll(/([A-Za-z_-]+)=(\S+)/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]),
  );
}

/** The variables a raw compose `name:` refers to (`${STACK_NAME}_db_${SECRET_DB_VERSION:-v1}`). */
const referencedVariables = (raw: string) =>
  [...raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);

function modifiersFor(
  rawName: string | undefined,
  entries: EnvEntry[],
): { from?: string; mods: Record<string, string> } {
  const names = new Set(referencedVariables(rawName ?? ""));
  const entry = entries.findLast((e) => names.has(e.key) && Object.keys(modifiersOf(e.comment)).length > 0);
  return entry ? { from: entry.key, mods: modifiersOf(entry.comment) } : { mods: {} };
}

function lengthOf(raw: string | undefined, where: string): number {
  if (raw === undefined) return SECRET_LENGTH.default;
  if (!/^\d+$/.test(raw)) throw new UserError("RECIPE_INVALID", `${where}: length=${raw} is not a number`);
  return Math.min(Math.max(Number(raw), SECRET_LENGTH.min), SECRET_LENGTH.max);
}

function charsetOf(raw: string | undefined, where: string): SecretCharset | undefined {
  if (raw === undefined) return undefined;
  if (!(secretCharsets as readonly string[]).includes(raw))
    throw new UserError(
      "RECIPE_INVALID",
      `${where}: charset=${raw} is not a known charset (known: ${secretCharsets.join(", ")})`,
    );
  return raw as SecretCharset;
}

/**
 * The secrets to generate, as abra's `app secret generate --all` finds them: every external secret of
 * the merged compose of the enabled overlays (not the `SECRET_*_VERSION` lines of `.env.sample`, which
 * only carry versions and hints); the version is the part of the Docker name after its last `_`; the
 * `length=`/`charset=` modifiers come from the env line of the variable the raw name refers to.
 * Non-external secrets (`file:`) are created by the deploy itself.
 */
export function planSecrets(compose: ComposeModel, entries: EnvEntry[], stack: string): SecretSpec[] {
  return compose.secretDefs.flatMap((def) => {
    if (!def.external) return [];
    const where = `secret ${def.key}`;
    const dockerName = def.name ?? "";
    // A name outside the app's own (`${STACK_NAME}_…`) would be shared with other apps: another app's
    // existing secret would be mounted into this one, and teardown would not find it.
    if (!dockerName.startsWith(`${stack}_`))
      throw new UserError(
        "RECIPE_INVALID",
        `${where}: an external secret must be named \${STACK_NAME}_<name>_\${SECRET_<NAME>_VERSION} (abra's convention), not ${JSON.stringify(def.rawName ?? "")}`,
      );
    const version = dockerName.slice(dockerName.lastIndexOf("_") + 1);
    if (dockerName.endsWith("_") || !dockerName.includes("_"))
      throw new UserError(
        "RECIPE_INVALID",
        `${where}: its name ${JSON.stringify(def.rawName ?? def.key)} has no version after the last _ (is its SECRET_*_VERSION set in .env.sample?)`,
      );
    if (!/^v?[A-Za-z0-9]+$/.test(version))
      throw new UserError(
        "RECIPE_INVALID",
        `${where}: version ${JSON.stringify(version)} of ${dockerName} is not like v1`,
      );
    const { from, mods } = modifiersFor(def.rawName, entries);
    const hint = from ? `${from} in .env.sample` : where;
    const charset = charsetOf(mods.charset, hint);
    return [
      {
        name: def.key,
        version,
        length: lengthOf(mods.length, hint),
        ...(charset ? { charset } : {}),
        dockerName,
      },
    ];
  });
}
