import { mayStartRuns } from "../github/authority.js";
import type { Forge, RepoRef } from "../github/forge.js";
import type { Logger } from "../log.js";
import { GiteaApiError } from "./client.js";

export interface PayloadPermissions {
  admin: boolean;
  push: boolean;
}

/**
 * Trust on Gitea is the commenter's write access to the repository's code. The source is the signed
 * comment payload's `repository.permissions`: Gitea computes it for the commenter (the doer) when the
 * comment is made, team write included, and it needs no API call. Forges that send no permissions
 * fall back to the collaborator-permission API, which needs the bot to be a repository admin (403
 * otherwise: refused, with a warning saying why) and reports team write as `read`.
 */
export async function giteaMayStartRuns(
  forge: Forge,
  repo: RepoRef,
  user: string,
  fromPayload: PayloadPermissions | null | undefined,
  log: Logger,
): Promise<boolean> {
  if (fromPayload) return fromPayload.push || fromPayload.admin;
  try {
    return await mayStartRuns(forge, repo, user);
  } catch (error) {
    if (!(error instanceof GiteaApiError) || error.status !== 403) throw error;
    log.warn({ user }, "the payload has no permissions and the bot may not read them (make it a repo admin)");
    return false;
  }
}
