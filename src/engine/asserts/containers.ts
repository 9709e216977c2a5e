import type { DockerCli } from "../../deploy/docker.js";
import { byStack } from "../../deploy/stack-label.js";

export interface StackContainer {
  id: string;
  service: string;
  state: string;
  /** Docker's health status, or "none" when the image/service declares no healthcheck. */
  health: string;
  labels: Record<string, string>;
  /** The container's effective healthcheck (service's or image's), when it has one. */
  healthcheck?: Healthcheck;
}

/** As Docker holds it: `["CMD", …]`, `["CMD-SHELL", "…"]` or `["NONE"]`; durations in nanoseconds. */
export interface Healthcheck {
  test: string[];
  timeoutNs?: number;
  /** The shell CMD-SHELL runs in (the image's `SHELL`, else `/bin/sh -c`). */
  shell?: string[];
}

/** The stack's containers that are running now, with their service and health. */
export async function runningContainers(docker: DockerCli, stack: string): Promise<StackContainer[]> {
  const ids = await docker.lines(["ps", "-q", ...byStack(stack)]);
  if (ids.length === 0) return [];
  // JSON, not a Go template over .State.Health: newer clients inspect into a map where a missing key errors.
  const rows = await docker.lines(["inspect", "--format", "{{json .}}", ...ids]);
  return rows.map((row) => {
    const data = JSON.parse(row) as {
      Id: string;
      Config?: {
        Labels?: Record<string, string>;
        Healthcheck?: { Test?: string[]; Timeout?: number };
        Shell?: string[];
      };
      State?: { Status?: string; Health?: { Status?: string } };
    };
    return {
      id: data.Id,
      service: data.Config?.Labels?.["com.docker.swarm.service.name"] ?? "",
      state: data.State?.Status ?? "unknown",
      health: data.State?.Health?.Status ?? "none",
      labels: data.Config?.Labels ?? {},
      healthcheck: data.Config?.Healthcheck?.Test?.length
        ? {
            test: data.Config.Healthcheck.Test,
            timeoutNs: data.Config.Healthcheck.Timeout || undefined,
            shell: data.Config.Shell?.length ? data.Config.Shell : undefined,
          }
        : undefined,
    };
  });
}

/** The id of a running container of `<stack>_<service>`, preferring a healthy one. */
export async function containerOf(
  docker: DockerCli,
  stack: string,
  service: string,
): Promise<string | undefined> {
  const all = (await runningContainers(docker, stack)).filter((c) => c.service === `${stack}_${service}`);
  return (all.find((c) => c.health === "healthy") ?? all[0])?.id;
}
