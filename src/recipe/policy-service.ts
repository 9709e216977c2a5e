import { type Finding, listOf, mapOf, type PolicyScope, text } from "./policy-finding.js";
import { mountFindings } from "./policy-mounts.js";

/** Keys whose value `host` (or a container/service to join) shares a host or foreign namespace. */
const namespaceKeys = ["pid", "ipc", "uts", "userns_mode", "network_mode", "cgroup"] as const;

function namespaceFindings(service: string, raw: Record<string, unknown>, scope: PolicyScope): Finding[] {
  return namespaceKeys.flatMap((key) => {
    if (raw[key] === undefined) return [];
    const value = text(raw[key], scope);
    const where = `service ${service}: ${key}`;
    if (value === "host")
      return [{ where, problem: `${key}: host shares the host's namespace`, allow: [`${key}:host`] }];
    if (/^(container|service):/.test(value))
      return [{ where, problem: `${key}: ${value} joins another container's namespace`, allow: [] }];
    return [];
  });
}

function privilegeFindings(service: string, raw: Record<string, unknown>, scope: PolicyScope): Finding[] {
  const findings: Finding[] = [];
  if (raw.privileged === true || text(raw.privileged, scope) === "true")
    findings.push({
      where: `service ${service}: privileged`,
      problem: "runs privileged",
      allow: ["privileged"],
    });
  for (const cap of listOf(raw.cap_add).map((c) => text(c, scope).toUpperCase().replace(/^CAP_/, "")))
    findings.push({
      where: `service ${service}: cap_add`,
      problem: `adds the capability ${cap}`,
      allow: [`cap_add:${cap}`],
    });
  for (const device of listOf(raw.devices).map((d) =>
    text(typeof d === "string" ? d : mapOf(d).source, scope),
  ))
    findings.push({
      where: `service ${service}: devices`,
      problem: `passes the host device ${device.split(":")[0]}`,
      allow: [`device:${device.split(":")[0]}`],
    });
  for (const key of ["device_cgroup_rules", "cgroup_parent"] as const)
    if (raw[key] !== undefined)
      findings.push({
        where: `service ${service}: ${key}`,
        problem: `${key} reaches the host's cgroups`,
        allow: [],
      });
  return findings;
}

/** `no-new-privileges` only tightens confinement; every other option (seccomp, apparmor, label …) may loosen it. */
function securityOptFindings(service: string, raw: Record<string, unknown>, scope: PolicyScope): Finding[] {
  return listOf(raw.security_opt)
    .map((o) => text(o, scope))
    .filter((o) => !/^no-new-privileges([:=](true|false))?$/.test(o))
    .map((o) => ({
      where: `service ${service}: security_opt`,
      problem: `sets ${o} (only no-new-privileges is allowed)`,
      allow: [`security_opt:${o}`],
    }));
}

/** The host port of a `ports:` entry: `T`, `P:T`, `IP:P:T` (each maybe `/proto`), or the long form. */
function publishedPort(entry: unknown, scope: PolicyScope): string {
  if (entry && typeof entry === "object") {
    const long = mapOf(entry);
    return text(long.published ?? long.target, scope);
  }
  const parts = text(entry, scope).split("/")[0]!.split(":");
  return parts.length === 1 ? parts[0]! : parts[parts.length - 2]!;
}

function portFindings(service: string, raw: Record<string, unknown>, scope: PolicyScope): Finding[] {
  return listOf(raw.ports).map((entry) => {
    const port = publishedPort(entry, scope);
    return {
      where: `service ${service}: ports`,
      problem: `publishes port ${port} on the host (ccci reaches apps from inside the stack)`,
      allow: [`port:${port}`],
    };
  });
}

/** deploy.labels as pairs, list (`k=v`) or mapping form. */
function labelPairs(labels: unknown, scope: PolicyScope): [string, string][] {
  if (Array.isArray(labels))
    return labels.map((l) => {
      const entry = text(l, scope);
      const eq = entry.indexOf("=");
      return eq < 0 ? [entry, ""] : [entry.slice(0, eq), entry.slice(eq + 1)];
    });
  return Object.entries(mapOf(labels)).map(([k, v]) => [text(k, scope), text(v, scope)]);
}

function capFindings(service: string, raw: Record<string, unknown>, scope: PolicyScope): Finding[] {
  const findings: Finding[] = [];
  const deploy = mapOf(raw.deploy);
  const replicas = Number(text(deploy.replicas ?? 1, scope));
  if (Number.isFinite(replicas) && replicas > scope.maxReplicas)
    findings.push({
      where: `service ${service}: deploy.replicas`,
      problem: `asks for ${replicas} replicas, above the operator's cap CCCI_MAX_REPLICAS=${scope.maxReplicas}`,
      allow: [],
    });
  const timeoutKey = `coop-cloud.${scope.stack}.timeout`;
  for (const [key, value] of labelPairs(deploy.labels, scope)) {
    const seconds = Number(value);
    if (key === timeoutKey && Number.isFinite(seconds) && seconds > scope.maxTimeoutSeconds)
      findings.push({
        where: `service ${service}: deploy.labels.${timeoutKey}`,
        problem: `asks for a ${seconds} s timeout, above the operator's cap CCCI_MAX_TIMEOUT=${scope.maxTimeoutSeconds}`,
        allow: [],
      });
  }
  return findings;
}

/** `env_file:` and `extends.file` are read by the deploy on the host: they must be files of the checkout. */
function hostFileRefs(raw: Record<string, unknown>, scope: PolicyScope): string[] {
  const envFiles = listOf(raw.env_file).map((e) => text(typeof e === "string" ? e : mapOf(e).path, scope));
  const extendsFile = mapOf(raw.extends).file;
  return extendsFile === undefined ? envFiles : [...envFiles, text(extendsFile, scope)];
}

/** Every rule on one service of one compose file. */
export function serviceFindings(
  service: string,
  raw: Record<string, unknown>,
  scope: PolicyScope,
): Finding[] {
  return [
    ...mountFindings(service, raw, scope),
    ...namespaceFindings(service, raw, scope),
    ...privilegeFindings(service, raw, scope),
    ...securityOptFindings(service, raw, scope),
    ...portFindings(service, raw, scope),
    ...capFindings(service, raw, scope),
  ];
}

export { hostFileRefs };
