import { type Finding, mapOf, type PolicyScope, text } from "./policy-finding.js";

/** The external network every Co-op Cloud recipe joins (Traefik's); ccci creates it. */
const SHARED_NETWORKS = new Set(["proxy"]);

/**
 * A top-level object named outside the stack's own names (`<stack>_…`) reaches what other stacks (a
 * canonical's data, another run's secrets) or the host hold. External objects with the stack's names are
 * Co-op Cloud's convention for secrets (abra creates `${STACK_NAME}_<name>_${VERSION}` before the deploy).
 */
function foreignName(kind: string, key: string, raw: Record<string, unknown>, scope: PolicyScope): Finding[] {
  const external = raw.external === true || text(raw.external, scope) === "true";
  const legacyName = mapOf(raw.external).name;
  const name = text(raw.name ?? legacyName ?? key, scope);
  if (kind === "networks" && SHARED_NETWORKS.has(name)) return [];
  if (!external && raw.name === undefined && legacyName === undefined) return [];
  if (name.startsWith(`${scope.stack}_`)) return [];
  const singular = kind.slice(0, -1);
  return [
    {
      where: `${kind}.${key}: ${external || legacyName !== undefined ? "external" : "name"}`,
      problem: `uses the ${singular} ${name}, which is not one of the stack's own (${scope.stack}_…)`,
      allow: [`external:${name}`],
    },
  ];
}

function volumeFindings(key: string, raw: Record<string, unknown>, scope: PolicyScope): Finding[] {
  const findings = foreignName("volumes", key, raw, scope);
  const driver = raw.driver === undefined ? "local" : text(raw.driver, scope);
  if (driver !== "local" || raw.driver_opts !== undefined)
    findings.push({
      where: `volumes.${key}: ${raw.driver_opts !== undefined ? "driver_opts" : "driver"}`,
      problem: "sets a volume driver or its options (a local driver_opts bind mounts a host path)",
      allow: [`volume-options:${key}`],
    });
  return findings;
}

function networkFindings(key: string, raw: Record<string, unknown>, scope: PolicyScope): Finding[] {
  // Swarm's predefined `host` network is host networking by another name.
  if (text(raw.name ?? mapOf(raw.external).name, scope) === "host")
    return [
      {
        where: `networks.${key}: name`,
        problem: "joins the host's network (host networking)",
        allow: ["network_mode:host"],
      },
    ];
  const findings = foreignName("networks", key, raw, scope);
  const driver = raw.driver === undefined ? "overlay" : text(raw.driver, scope);
  if (driver !== "overlay")
    findings.push({
      where: `networks.${key}: driver`,
      problem: `uses the ${driver} network driver (only overlay networks are allowed)`,
      allow: driver === "host" ? ["network_mode:host"] : [],
    });
  return findings;
}

/** Secrets and configs: `file:` must stay in the checkout (checked by the caller), nothing external. */
function objectFindings(
  kind: "secrets" | "configs",
  key: string,
  raw: Record<string, unknown>,
  scope: PolicyScope,
): Finding[] {
  const findings = foreignName(kind, key, raw, scope);
  if (raw.environment !== undefined)
    findings.push({
      where: `${kind}.${key}: environment`,
      problem: "reads its value from the deploy's environment",
      allow: [],
    });
  return findings;
}

/** Every rule on the top-level sections of one compose file. */
export function topLevelFindings(data: Record<string, unknown>, scope: PolicyScope): Finding[] {
  const each = (
    section: string,
    rule: (key: string, raw: Record<string, unknown>, scope: PolicyScope) => Finding[],
  ) => Object.entries(mapOf(data[section])).flatMap(([key, raw]) => rule(key, mapOf(raw), scope));
  const findings = [
    ...each("volumes", volumeFindings),
    ...each("networks", networkFindings),
    ...each("secrets", (k, r, s) => objectFindings("secrets", k, r, s)),
    ...each("configs", (k, r, s) => objectFindings("configs", k, r, s)),
  ];
  if (data.include !== undefined)
    findings.push({
      where: "include",
      problem: "includes other compose files (list them in COMPOSE_FILE)",
      allow: [],
    });
  return findings;
}

/** The `file:` of each top-level secret and config: read from the host by the deploy. */
export function objectFileRefs(
  data: Record<string, unknown>,
  scope: PolicyScope,
): { where: string; path: string }[] {
  return (["secrets", "configs"] as const).flatMap((kind) =>
    Object.entries(mapOf(data[kind]))
      .filter(([, raw]) => mapOf(raw).file !== undefined)
      .map(([key, raw]) => ({ where: `${kind}.${key}.file`, path: text(mapOf(raw).file, scope) })),
  );
}
