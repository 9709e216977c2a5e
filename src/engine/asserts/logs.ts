import type { DockerCli } from "../../deploy/docker.js";
import type { Redactor } from "../../redact.js";

/** Task errors and the last log lines of the given services, redacted: the report's log excerpt. */
export async function logExcerpt(
  docker: DockerCli,
  services: string[],
  redactor: Redactor,
  lines = 40,
): Promise<string> {
  const parts: string[] = [];
  for (const service of services) {
    const tasks = await docker.run([
      "service",
      "ps",
      "--no-trunc",
      "--format",
      "{{.Name}} {{.CurrentState}} {{.Error}}",
      service,
    ]);
    const logs = await docker.run([
      "service",
      "logs",
      "--raw",
      "--no-task-ids",
      "--tail",
      String(lines),
      service,
    ]);
    parts.push(
      `== ${service}: tasks ==\n${tasks.stdout.trim().split("\n").slice(0, 8).join("\n")}\n` +
        `== ${service}: last ${lines} log lines ==\n${`${logs.stdout}\n${logs.stderr}`.trim()}`,
    );
  }
  return redactor.redact(parts.join("\n\n"));
}
