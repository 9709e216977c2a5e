import { z } from "zod";

/**
 * The exceptions an operator may grant one recipe in the enrolment (`recipes.<name>.allow`), never the
 * recipe itself. Each is exactly what a refusal names, so the fix for a refusal is to copy it:
 *
 *   docker-socket                 bind-mount the Docker socket (a traefik or backup-bot recipe)
 *   bind-mount:<host path>        bind-mount that host path (absolute, as the refusal prints it)
 *   cap_add:<CAP>                 add that capability (cap_add:NET_ADMIN)
 *   device:<host path>            pass that device (device:/dev/fuse)
 *   privileged                    run privileged
 *   <pid|ipc|uts|userns_mode|network_mode|cgroup>:host   share that host namespace
 *   security_opt:<option>         that security option (security_opt:apparmor=unconfined)
 *   port:<number>                 publish that port on the host (`port:*` for every port)
 *   external:<name>               use that external (or explicitly named) volume, network, secret or config
 *   volume-options:<volume>       a volume with a driver or driver_opts (a driver_opts bind is a bind mount)
 */
export const allowanceKinds = [
  "docker-socket",
  "bind-mount",
  "cap_add",
  "device",
  "privileged",
  "pid",
  "ipc",
  "uts",
  "userns_mode",
  "network_mode",
  "cgroup",
  "security_opt",
  "port",
  "external",
  "volume-options",
] as const;

const bare = new Set(["docker-socket", "privileged"]);

export const allowanceSchema = z.string().refine(
  (text) => {
    const colon = text.indexOf(":");
    const kind = colon < 0 ? text : text.slice(0, colon);
    if (!(allowanceKinds as readonly string[]).includes(kind)) return false;
    if (bare.has(kind)) return colon < 0;
    return colon > 0 && /^\S+$/.test(text.slice(colon + 1));
  },
  {
    message: `expected an exception such as docker-socket, bind-mount:/path, cap_add:NET_ADMIN, port:8080 (kinds: ${allowanceKinds.join(", ")})`,
  },
);

export const allowListSchema = z.array(allowanceSchema).max(100, "expected at most 100 exceptions");

/** What ccci's compose policy enforces for one recipe: the operator's caps and exceptions. */
export interface RecipePolicy {
  maxReplicas: number;
  maxTimeoutSeconds: number;
  allow: readonly string[];
}

/** The caps of the settings and the operator's exceptions for one recipe (none: the strict policy). */
export function recipePolicy(
  settings: { CCCI_MAX_REPLICAS: number; CCCI_MAX_TIMEOUT: number },
  allow: readonly string[] = [],
): RecipePolicy {
  return { maxReplicas: settings.CCCI_MAX_REPLICAS, maxTimeoutSeconds: settings.CCCI_MAX_TIMEOUT, allow };
}

/** The policy when no settings are at hand: the settings' defaults, no exceptions. */
export const strictPolicy: RecipePolicy = { maxReplicas: 10, maxTimeoutSeconds: 1800, allow: [] };

/** True when one of `candidates` (the allowances that would each permit a finding) is granted. */
export function isAllowed(policy: RecipePolicy, candidates: readonly string[]): boolean {
  return candidates.some(
    (c) => policy.allow.includes(c) || (c.startsWith("port:") && policy.allow.includes("port:*")),
  );
}
