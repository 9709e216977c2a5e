import { randomBytes } from "node:crypto";
import { UserError } from "../errors.js";

/** Docker refuses secret and config names over 64 characters, and service names over 63. */
export const DOCKER_OBJECT_NAME_LIMIT = 64;
export const DOCKER_SERVICE_NAME_LIMIT = 63;

const recipeNamePattern = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A recipe name becomes part of a domain and of Docker object names: it must be a DNS label. */
export function validateRecipeName(name: string): string {
  if (name.length === 0 || name.length > 63 || !recipeNamePattern.test(name)) {
    throw new UserError(
      "RECIPE_NAME_INVALID",
      `invalid recipe name ${JSON.stringify(name)}: use 1-63 lowercase letters, digits and hyphens, ` +
        "starting and ending with a letter or digit",
    );
  }
  return name;
}

export function randomHex(length = 6): string {
  return randomBytes(Math.ceil(length / 2))
    .toString("hex")
    .slice(0, length);
}

/**
 * `<recipe[:4]>-<6hex>.<base>`: short, so that every derived Docker name stays under the limit. A recipe
 * starting with "warm" gets "wrm": `warm-` names canonicals, which cleanup and the closure check keep.
 */
export function coldDomain(recipe: string, base: string, hex = randomHex()): string {
  const prefix = recipe.slice(0, 4).replace(/-+$/, "") || "app";
  return `${prefix === "warm" ? "wrm" : prefix}-${hex}.${base}`;
}

/** `warm-<recipe>.<base>`: the stable domain of a recipe's canonical. */
export function warmDomain(recipe: string, base: string): string {
  return `warm-${recipe}.${base}`;
}

/** A canonical's stack (`warm-<recipe>_<base>`); no cold run's stack starts so (see `coldDomain`). */
export function isWarmStack(stack: string): boolean {
  return stack.startsWith("warm-");
}

/** abra's rule: the stack name is the domain with dots turned into underscores. */
export function stackName(domain: string): string {
  return domain.replaceAll(".", "_");
}

/** abra's secret/config naming: `${STACK_NAME}_<name>_${VERSION}`. */
export function versionedName(stack: string, name: string, version: string): string {
  return `${stack}_${name}_${version}`;
}

export interface DerivedName {
  kind: "secret" | "config" | "service" | "volume";
  name: string;
}

/** Fails with every Docker name that would be refused, before anything is created. */
export function checkNameLimits(names: DerivedName[]): void {
  const tooLong = names.filter(
    (n) => n.name.length > (n.kind === "service" ? DOCKER_SERVICE_NAME_LIMIT : DOCKER_OBJECT_NAME_LIMIT),
  );
  if (tooLong.length === 0) return;
  const list = tooLong.map((n) => `${n.kind} ${n.name} (${n.name.length} chars)`).join(", ");
  throw new UserError(
    "NAME_TOO_LONG",
    `Docker name limit exceeded (secrets/configs/volumes ${DOCKER_OBJECT_NAME_LIMIT}, services ` +
      `${DOCKER_SERVICE_NAME_LIMIT}): ${list}; use a shorter CCCI_DOMAIN or shorter secret names`,
  );
}
