import type { DockerCli } from "../../deploy/docker.js";
import type { Redactor } from "../../redact.js";
import { formatBytes } from "../../tail-buffer.js";

/** Log kept per service in the excerpt: 40 lines of a noisy app can be megabytes. */
export const LOG_EXCERPT_BYTES = 16 * 1024;

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
    const logs = await docker.run(
      ["service", "logs", "--raw", "--no-task-ids", "--tail", String(lines), service],
      { maxOutputBytes: LOG_EXCERPT_BYTES },
    );
    const cut = logs.truncated ? ` (truncated to the last ${formatBytes(LOG_EXCERPT_BYTES)})` : "";
    parts.push(
      `== ${service}: tasks ==\n${tasks.stdout.trim().split("\n").slice(0, 8).join("\n")}\n` +
        `== ${service}: last ${lines} log lines${cut} ==\n${`${logs.stdout}\n${logs.stderr}`.trim()}`,
    );
  }
  return redactor.redact(parts.join("\n\n"));
}
