import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";

/** Service and container label carrying the commit a deployment was made from. */
export const COMMIT_LABEL = "ccci.commit";

/**
 * An extra compose file that stamps every service (spec and containers) with the commit deployed, so
 * an upgrade can be proved to have moved: abra records the same in its `chaos-version` label.
 */
export function writeCommitOverlay(
  checkoutDir: string,
  composeFiles: string[],
  services: string[],
  commit: string,
  dest: string,
): string {
  const first = parse(readFileSync(join(checkoutDir, composeFiles[0]!), "utf8")) as {
    version?: string;
  } | null;
  const overlay = {
    ...(first?.version ? { version: first.version } : {}),
    services: Object.fromEntries(
      services.map((s) => [
        s,
        { labels: { [COMMIT_LABEL]: commit }, deploy: { labels: { [COMMIT_LABEL]: commit } } },
      ]),
    ),
  };
  writeFileSync(dest, stringify(overlay));
  return dest;
}
