/**
 * One catalogue of the errors a user can meet. Every code here is documented in docs/errors.md
 * (a test keeps the two in step). `UserError`s are mistakes in what was asked (exit code 2, a help
 * reply); anything else that escapes a run is reported as an error of ccci or of its host.
 */
export const errorCodes = {
  CONFIG_INVALID: "a CCCI_* setting (or a Probot setting) is missing or malformed",
  USAGE: "the command line is malformed",
  RECIPE_NOT_FOUND: "the recipe directory or git URL does not exist",
  RECIPE_NAME_INVALID: "the recipe name is not a valid lowercase DNS label",
  RECIPE_INVALID: "the recipe's files are missing or malformed (compose.yml, .env.sample, COMPOSE_FILE)",
  RECIPE_POLICY:
    "the recipe asks for something ccci's policy refuses (a host bind mount, privileges, host ports, a symlink out of the checkout …)",
  REF_NOT_FOUND: "the requested git ref does not exist in the recipe repository",
  NAME_TOO_LONG: "a Docker object name derived from the app's domain exceeds Docker's limit",
  DRIVER_UNAVAILABLE: "the deploy driver's tool (docker or abra) cannot be run",
  DEPLOY_FAILED: "the deploy command failed",
  TIMEOUT: "the app did not converge within its timeout",
  CANCELLED: "the run was cancelled (signal, superseding push, closed pull request)",
  LEAK: "the closure check found resources of the run left after teardown",
  SSO_DECLARATION_INVALID:
    "the recipe's `sso` declaration (ccci.yml) names an unknown provider or has a malformed field",
  KEYCLOAK_UNAVAILABLE: "the Keycloak that serves SSO realms cannot be reached or refused a request",
  ENROLMENT_INVALID: "the enrolment file (CCCI_RECIPES) is not valid YAML or breaks its schema",
  REGISTRY_INVALID:
    "the canonical registry file is corrupt or hand-broken; ccci will not overwrite it until fixed",
  SNAPSHOT_REFUSED: "a snapshot or restore was refused because the app is deployed or its volumes are in use",
  SNAPSHOT_CORRUPT: "the stored snapshot does not match its manifest (a tampered or damaged file)",
  SNAPSHOT_MISSING: "the recipe has no snapshot (no canonical yet) or the app has no volumes to snapshot",
  DISK_FULL: "a disk (docker data root or state dir) is below CCCI_DISK_HARD after pruning; runs are refused",
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class CcciError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "CcciError";
  }
}

/** A mistake in the request: bad usage, a recipe that cannot exist, a malformed file. */
export class UserError extends CcciError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = "UserError";
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

export function describeError(error: unknown): string {
  if (error instanceof CcciError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
