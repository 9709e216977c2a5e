import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { UserError } from "../errors.js";
import { validateRecipeName } from "../recipe/naming.js";
import { allowListSchema } from "../recipe/policy-allow.js";
import { describeSchemaIssues, parseYamlSource } from "./yaml-source.js";

/**
 * The enrolment file (`CCCI_RECIPES`, default `<state dir>/recipes.yml`) lists the recipes that may have a
 * warm canonical. Any repository can run cold; `--quick` needs an enrolled recipe with a canonical.
 *
 *   recipes:
 *     hello:
 *       repo: https://git.coopcloud.tech/coop-cloud/hello.git
 *       branch: main
 *       allow: [docker-socket]   # optional: exceptions to the compose policy (never from the recipe)
 *   repositories:          # optional: pull-request repository name -> recipe name
 *     hello-recipe: hello
 */

const recipeName = z
  .string()
  .refine(isRecipeName, "expected a recipe name: lowercase letters, digits, hyphens");

// Remote git URLs (https, ssh, git, scp-like) or an absolute local path (fixtures, mirrors).
const gitUrl = z
  .string()
  .regex(
    /^((https?|ssh|git|file):\/\/[^\s]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+|\/[^\s]*)$/,
    "expected a git URL (https://, ssh://, git@host:path) or an absolute path",
  );

// git check-ref-format's main rules; refuses anything that could be read as an option.
const branchName = z
  .string()
  .regex(/^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)[A-Za-z0-9._/-]+(?<![./])$/, "expected a git branch name");

const enrolledRecipeSchema = z.strictObject({
  repo: gitUrl,
  branch: branchName.default("main"),
  /** Whether `--quick` is offered for this recipe (a canonical is kept and promoted). */
  quick: z.boolean().default(true),
  /** Exceptions to ccci's compose policy for this recipe (docs/operator-guide.md); only the operator grants them. */
  allow: allowListSchema.optional(),
});

export const enrolmentSchema = z.strictObject({
  recipes: z.record(recipeName, enrolledRecipeSchema).default({}),
  repositories: z
    .record(z.string().regex(/^[A-Za-z0-9._-]+$/, "expected a repository name"), recipeName)
    .default({}),
});

export type EnrolledRecipe = z.infer<typeof enrolledRecipeSchema>;
export interface Enrolment extends z.infer<typeof enrolmentSchema> {
  /** The file it was read from; null when no enrolment file exists. */
  source: string | null;
}

/** True when `name` passes `validateRecipeName` (for schema refinements, which must not throw). */
export function isRecipeName(name: string): boolean {
  try {
    validateRecipeName(name);
    return true;
  } catch {
    return false;
  }
}

export function defaultEnrolmentPath(stateDir: string): string {
  return join(stateDir, "recipes.yml");
}

/** Parses an enrolment text; every problem names `<file>:<line>`. */
export function parseEnrolment(text: string, sourceName: string): Enrolment {
  const parsed = parseYamlSource(text, sourceName);
  if (!parsed.ok) throw invalid(sourceName, parsed.problems);
  const value = parsed.source.value ?? {};
  const result = enrolmentSchema.safeParse(value);
  if (!result.success) throw invalid(sourceName, describeSchemaIssues(parsed.source, result.error.issues));
  const unknownTargets = Object.entries(result.data.repositories).filter(
    ([, recipe]) => !result.data.recipes[recipe],
  );
  if (unknownTargets.length > 0) {
    const problems = unknownTargets.map(
      ([repo, recipe]) =>
        `${sourceName}:${parsed.source.lineOf(["repositories", repo])}: repositories.${repo}: ` +
        `maps to ${JSON.stringify(recipe)}, which is not under recipes`,
    );
    throw invalid(sourceName, problems);
  }
  return { ...result.data, source: sourceName };
}

/** Reads the enrolment file; a missing file means "nothing enrolled", not an error. */
export async function loadEnrolment(path: string): Promise<Enrolment> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { recipes: {}, repositories: {}, source: null };
    throw new UserError(
      "ENROLMENT_INVALID",
      `cannot read enrolment file ${path}: ${(error as Error).message}`,
    );
  }
  return parseEnrolment(text, path);
}

/** The recipe of a pull request: its repository's name unless the enrolment maps it otherwise. */
export function recipeForRepository(enrolment: Enrolment, repositoryName: string): string {
  const mapped = enrolment.repositories[repositoryName];
  return validateRecipeName(mapped ?? repositoryName.toLowerCase());
}

/** The enrolment entry of a recipe when it may have a canonical (enrolled, quick not switched off). */
export function warmEnrolment(enrolment: Enrolment, recipe: string): EnrolledRecipe | undefined {
  const entry = enrolment.recipes[recipe];
  return entry?.quick ? entry : undefined;
}

function invalid(sourceName: string, problems: string[]): UserError {
  return new UserError(
    "ENROLMENT_INVALID",
    `invalid enrolment file ${sourceName}:\n  ${problems.join("\n  ")}`,
  );
}
