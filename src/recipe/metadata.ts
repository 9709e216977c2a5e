import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { UserError } from "../errors.js";
import { parseSsoDeclaration, type SsoDeclaration } from "../sso/declaration.js";
import { type OverlayDeclaration, parseOverlays } from "./overlays.js";

/** The optional `ccci.yml` at the top of a recipe: what ccci needs to know beyond compose and env. */
export const METADATA_FILE = "ccci.yml";

export interface RecipeMetadata {
  sso?: SsoDeclaration;
  /** Extra COMPOSE_FILE combinations, each tested as its own tier (`overlay:<name>`). */
  overlays?: OverlayDeclaration[];
}

const metadataSchema = z.strictObject(
  { sso: z.unknown().optional(), overlays: z.unknown().optional() },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key(s) ${issue.keys.join(", ")} (known: sso, overlays)`
        : "expected a mapping",
  },
);

/** Reads and validates ccci.yml; a recipe without one has no metadata. Errors name the file and field. */
export function readRecipeMetadata(recipeDir: string): RecipeMetadata {
  const path = join(recipeDir, METADATA_FILE);
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8")) ?? {};
  } catch (error) {
    throw new UserError(
      "RECIPE_INVALID",
      `${METADATA_FILE} does not parse: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const parsed = metadataSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError(
      "RECIPE_INVALID",
      `${METADATA_FILE}: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  const { sso, overlays } = parsed.data;
  return {
    ...(sso === undefined ? {} : { sso: parseSsoDeclaration(sso, METADATA_FILE) }),
    ...(overlays === undefined ? {} : { overlays: parseOverlays(overlays, METADATA_FILE) }),
  };
}
