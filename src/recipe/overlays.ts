import { z } from "zod";
import { UserError } from "../errors.js";

/** At most this many optional overlay combinations per recipe: each is a redeploy and a full set of asserts. */
export const MAX_OVERLAYS = 6;

/**
 * An extra `COMPOSE_FILE` combination to test, from `ccci.yml`:
 * `overlays: [{ name: s3, compose_file: "$COMPOSE_FILE:compose.s3.yml", env: { S3_BUCKET: test } }]`.
 * `compose_file` may refer to the app's own settings (`$COMPOSE_FILE`, from `.env.sample`).
 */
export interface OverlayDeclaration {
  name: string;
  composeFile: string;
  env: Record<string, string>;
}

const overlaySchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, "a name of 1-31 lowercase letters, digits and hyphens"),
  compose_file: z.string().min(1).max(1000),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an env variable name"), z.string().max(4096))
    .refine((env) => Object.keys(env).length <= 50, "at most 50 settings")
    .default({}),
});

const overlaysSchema = z
  .array(overlaySchema)
  .max(MAX_OVERLAYS, `at most ${MAX_OVERLAYS} overlays`)
  .refine((list) => new Set(list.map((o) => o.name)).size === list.length, "overlay names must be unique");

/** Validates `overlays:` of ccci.yml; errors name the file, the entry and the field. */
export function parseOverlays(raw: unknown, source = "ccci.yml"): OverlayDeclaration[] {
  const parsed = overlaysSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `overlays${i.path.map((p) => `.${String(p)}`).join("")}: ${i.message}`,
    );
    throw new UserError("RECIPE_INVALID", `${source}: ${problems.join("; ")}`);
  }
  return parsed.data.map((o) => ({ name: o.name, composeFile: o.compose_file, env: o.env }));
}
