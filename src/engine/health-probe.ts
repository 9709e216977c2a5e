import type { DockerCli } from "../deploy/docker.js";
import type { Healthcheck, StackContainer } from "./asserts/containers.js";

/** Docker's default healthcheck timeout, used when the container states none. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * After n failed runs: every 0.5 s for the first 2 s (an app that answers within a few seconds of its
 * start is caught at once), then 1, 2 and every 4 s (a long first boot is not probed twice a second).
 */
export const backoffMs = (failures: number) => Math.min(500 * 2 ** Math.max(0, failures - 4), 4_000);

/**
 * The `docker exec` arguments that run a container's own healthcheck the way Docker does: `CMD` as an
 * argument array, `CMD-SHELL` in the container's shell. Undefined when there is nothing to run.
 */
export function healthcheckExecArgs(container: string, check: Healthcheck): string[] | undefined {
  const [kind, ...rest] = check.test;
  if (kind === "CMD" && rest.length > 0) return ["exec", container, ...rest];
  if (kind === "CMD-SHELL" && rest.length === 1)
    return ["exec", container, ...(check.shell ?? ["/bin/sh", "-c"]), rest[0]!];
  return undefined;
}

/**
 * Runs each starting container's healthcheck itself, so that a stack counts as up once its app answers
 * instead of one `interval` after start (Docker 20.10 has no `start_interval`; recipes often use 30 s).
 * A container that passed once stays passed; Docker's own verdict still decides `unhealthy`.
 */
export class HealthProbe {
  private readonly passed = new Set<string>();
  /** Per container: failed runs so far and when the next may start (a long first boot is not probed twice a second). */
  private readonly failures = new Map<string, { count: number; nextAt: number }>();

  constructor(private readonly docker: DockerCli) {}

  /** Ids of the containers whose healthcheck passed when ccci ran it. */
  get passedIds(): ReadonlySet<string> {
    return this.passed;
  }

  /** True when the container is healthy by Docker's account or by its healthcheck run now. */
  async healthy(container: StackContainer, signal: AbortSignal): Promise<boolean> {
    if (container.health === "healthy" || container.health === "none") return true;
    if (container.health !== "starting" || !container.healthcheck) return false;
    if (this.passed.has(container.id)) return true;
    const failed = this.failures.get(container.id);
    if (failed && Date.now() < failed.nextAt) return false;
    const args = healthcheckExecArgs(container.id, container.healthcheck);
    if (!args) return false;
    const timeoutMs = container.healthcheck.timeoutNs
      ? Math.ceil(container.healthcheck.timeoutNs / 1e6)
      : DEFAULT_TIMEOUT_MS;
    const result = await this.docker.run(args, { timeoutMs, signal });
    if (result.exitCode !== 0 || result.interrupted) {
      const count = (failed?.count ?? 0) + 1;
      this.failures.set(container.id, { count, nextAt: Date.now() + backoffMs(count) });
      return false;
    }
    this.passed.add(container.id);
    return true;
  }
}
