import { CcciError, describeError, isUserError } from "../errors.js";
import type { RunContext } from "./context.js";

/** Sets the run's verdict from its tiers, asserts, the error that stopped it and the closure check. */
export function conclude(ctx: RunContext, error: unknown, leaks: string): void {
  const { run } = ctx;
  if (error) {
    run.state = error instanceof CcciError && error.code === "CANCELLED" ? "cancelled" : "errored";
    run.userError = isUserError(error);
    run.errorCode = error instanceof CcciError ? error.code : "DEPLOY_FAILED";
    run.reason = ctx.redactor.redact(describeError(error));
  } else {
    const failed = run.tiers.filter((t) => t.status === "failed");
    const failedAsserts = run.asserts.filter((a) => !a.passed);
    run.state = failed.length === 0 && failedAsserts.length === 0 ? "passed" : "failed";
    if (run.state === "failed") {
      run.reason = `failed at ${failed.map((t) => t.name).join(", ") || "asserts"}: ${failedAsserts.map((a) => a.name).join(", ")}`;
    }
  }
  if (leaks) {
    if (run.state !== "cancelled") run.state = "failed";
    run.errorCode = "LEAK";
    run.reason = `${run.reason ? `${run.reason}; ` : ""}closure check: left after teardown: ${leaks}`;
  }
}
