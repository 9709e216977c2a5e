import type { ProbotOctokit } from "probot";
import { registerCcciSecret } from "../ccci-secrets.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

/**
 * Registers each installation token the Octokit authenticates with as a secret of ccci's, so that no
 * run output can carry one. The auth strategy renews tokens by itself (hourly), hence a hook on every
 * request; the strategy caches the token, so asking for it costs nothing.
 */
export function redactInstallationTokens(octokit: Octokit): Octokit {
  octokit.hook.before("request", async (options) => {
    // The token request itself must not ask for the token (it would wait on itself).
    if (String(options.url).includes("/access_tokens")) return;
    const auth = (await octokit.auth({ type: "installation" }).catch(() => undefined)) as
      | { token?: string }
      | undefined;
    registerCcciSecret(auth?.token);
  });
  return octokit;
}
