import { UserError } from "../errors.js";

/** The tiers of a cold run, in the order they run on one deployment. */
export const allTiers = ["install", "upgrade", "backup", "restore", "custom"] as const;
export type Tier = (typeof allTiers)[number];

export function parseTiers(raw: string | undefined): Tier[] {
  if (raw === undefined) return [...allTiers];
  const names = raw
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(allTiers as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new UserError(
      "USAGE",
      `unknown tier(s) ${unknown.join(", ") || "(none given)"}: choose from ${allTiers.join(", ")}`,
    );
  }
  if (!names.includes("install"))
    throw new UserError("USAGE", "--tiers must include install: every run deploys the app first");
  return allTiers.filter((t) => names.includes(t));
}
