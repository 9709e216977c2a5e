import { parse } from "yaml";
import { UserError } from "../errors.js";
import { isAllowed, type RecipePolicy } from "./policy-allow.js";
import { type Finding, mapOf, type PolicyScope } from "./policy-finding.js";
import { hostFileRefs, serviceFindings } from "./policy-service.js";
import { objectFileRefs, topLevelFindings } from "./policy-top-level.js";
import { readRecipeFile, resolveInsideCheckout } from "./recipe-files.js";

/** Most refusals listed in one message; the rest are counted. */
export const MAX_LISTED_FINDINGS = 20;

export interface PolicyInput {
  checkoutDir: string;
  /** Every compose file COMPOSE_FILE enables, in order. */
  composeFiles: string[];
  /** The environment the deploy interpolates from (the app's env, STACK_NAME and the tool's own). */
  env: Record<string, string>;
  stack: string;
}

/** One compose file's findings; paths it makes the deploy read on the host must stay in the checkout. */
function fileFindings(file: string, scope: PolicyScope): Finding[] {
  // Merge keys (`<<: *base`) resolved, as docker resolves them.
  const data = mapOf(parse(readRecipeFile(scope.checkoutDir, file), { merge: true }));
  const findings = topLevelFindings(data, scope);
  for (const [name, raw] of Object.entries(mapOf(data.services))) {
    findings.push(...serviceFindings(name, mapOf(raw), scope));
    for (const path of hostFileRefs(mapOf(raw), scope))
      resolveInsideCheckout(scope.checkoutDir, path, `${file}: service ${name}`);
  }
  for (const ref of objectFileRefs(data, scope))
    resolveInsideCheckout(scope.checkoutDir, ref.path, `${file}: ${ref.where}`);
  return findings;
}

function describe(file: string, finding: Finding): string {
  const fix = finding.allow[0]
    ? `an operator may allow it for this recipe with \`allow: [${finding.allow[0]}]\` in the enrolment`
    : "no exception can allow it";
  return `${file}: ${finding.where}: ${finding.problem} (${fix})`;
}

/**
 * ccci's compose policy, on every file COMPOSE_FILE enables (checking each file is at least as strict as
 * checking their merge: a finding in any of them is in the merge, or was overridden by a later file).
 * Refuses what reaches the host or other stacks unless the operator's enrolment allows it for the recipe.
 */
export function checkComposePolicy(input: PolicyInput, policy: RecipePolicy): void {
  const problems: string[] = [];
  for (const file of input.composeFiles) {
    const scope: PolicyScope = {
      file,
      checkoutDir: input.checkoutDir,
      stack: input.stack,
      env: input.env,
      maxReplicas: policy.maxReplicas,
      maxTimeoutSeconds: policy.maxTimeoutSeconds,
    };
    for (const finding of fileFindings(file, scope))
      if (finding.allow.length === 0 || !isAllowed(policy, finding.allow))
        problems.push(describe(file, finding));
  }
  if (problems.length === 0) return;
  const listed = problems.slice(0, MAX_LISTED_FINDINGS);
  const more = problems.length - listed.length;
  throw new UserError(
    "RECIPE_POLICY",
    `refused by ccci's compose policy:\n  ${listed.join("\n  ")}${more > 0 ? `\n  … and ${more} more` : ""}`,
  );
}
