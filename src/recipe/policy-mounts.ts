import { posix } from "node:path";
import { type Finding, listOf, mapOf, type PolicyScope, text } from "./policy-finding.js";

/** Docker's rule: a mount source that is not a path is a named volume (two characters at least). */
const namedVolume = /^[A-Za-z0-9][A-Za-z0-9_.-]+$/;
const dockerSockets = ["/var/run/docker.sock", "/run/docker.sock"];

/** The host path a bind source means: relative sources resolve against the recipe's checkout, on the host. */
function hostPath(source: string, scope: PolicyScope): string {
  if (source.startsWith("~")) return posix.normalize(`${scope.env.HOME ?? "/root"}${source.slice(1)}`);
  return posix.resolve(scope.checkoutDir, source);
}

/** A bind of the socket itself or of a directory above it (`/`, `/run`, `/var/run`) hands over Docker. */
function exposesSocket(path: string): boolean {
  return dockerSockets.some((s) => s === path || s.startsWith(path === "/" ? "/" : `${path}/`));
}

function bindFinding(source: string, service: string, scope: PolicyScope): Finding {
  const path = hostPath(source, scope);
  const where = `service ${service}: volumes`;
  if (exposesSocket(path))
    return {
      where,
      problem: `bind-mounts the host path ${path}, which ${dockerSockets.includes(path) ? "is" : "holds"} the Docker socket`,
      allow: dockerSockets.includes(path) ? ["docker-socket", `bind-mount:${path}`] : [`bind-mount:${path}`],
    };
  return { where, problem: `bind-mounts the host path ${path}`, allow: [`bind-mount:${path}`] };
}

/** `source:target[:mode]` or a lone target (an anonymous volume). */
function shortMount(entry: string, service: string, scope: PolicyScope): Finding[] {
  const parts = text(entry, scope).split(":");
  if (parts.length < 2) return [];
  const source = parts[0]!;
  if (source === "" || namedVolume.test(source)) return [];
  return [bindFinding(source, service, scope)];
}

function longMount(entry: Record<string, unknown>, service: string, scope: PolicyScope): Finding[] {
  const type = text(entry.type ?? "volume", scope);
  const source = text(entry.source, scope);
  const where = `service ${service}: volumes`;
  if (type === "tmpfs") return [];
  if (type === "bind") return [bindFinding(source || ".", service, scope)];
  if (type !== "volume")
    return [{ where, problem: `mounts a ${type} (only volume and tmpfs mounts are allowed)`, allow: [] }];
  if (source === "" || namedVolume.test(source)) return [];
  return [bindFinding(source, service, scope)];
}

/** Service `volumes:` that reach the host: binds (long or short form, relative too) and the Docker socket. */
export function mountFindings(service: string, raw: Record<string, unknown>, scope: PolicyScope): Finding[] {
  const findings = listOf(raw.volumes).flatMap((entry) =>
    typeof entry === "string" ? shortMount(entry, service, scope) : longMount(mapOf(entry), service, scope),
  );
  if (raw.volumes_from !== undefined)
    findings.push({
      where: `service ${service}: volumes_from`,
      problem: "mounts another container's volumes",
      allow: [],
    });
  return findings;
}
