import type { DockerCli } from "./docker.js";
import { byStack } from "./stack-label.js";

/** What ccci reads of a swarm service: its name and labels, and the state of its last update. */
export interface ServiceState {
  ID?: string;
  UpdatedAt?: string;
  Spec?: {
    Name?: string;
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number }; Global?: object };
    TaskTemplate?: { RestartPolicy?: { Condition?: string } };
  };
  UpdateStatus?: { State?: string; Message?: string };
}

/** `docker service inspect` of every service of the stack (empty when it has none). */
export async function inspectStackServices(docker: DockerCli, stack: string): Promise<ServiceState[]> {
  const ids = await docker.lines(["service", "ls", "-q", ...byStack(stack)]);
  if (ids.length === 0) return [];
  const lines = await docker.lines(["service", "inspect", "--format", "{{json .}}", ...ids]);
  return lines.map((line) => JSON.parse(line) as ServiceState);
}
