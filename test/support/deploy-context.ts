import { pino } from "pino";
import type { AppPlan, DeployContext, Resource } from "../../src/deploy/deployer.js";
import { Redactor } from "../../src/redact.js";
import type { Timeline } from "./stand-in.js";

export const silentLogger = () => pino({ level: "silent" });

/** A DeployContext whose `record` marks the timeline, so "recorded before created" can be asserted. */
export function recordingDeployContext(timeline: Timeline, signal = new AbortController().signal) {
  const recorded: Resource[] = [];
  const ctx: DeployContext = {
    log: silentLogger(),
    redactor: new Redactor(),
    signal,
    record: async (resource) => {
      recorded.push(resource);
      timeline.mark(`record ${resource.kind} ${resource.name}`);
    },
  };
  return { ctx, recorded };
}

export function appPlan(overrides: Partial<AppPlan> & Pick<AppPlan, "checkoutDir" | "runDir">): AppPlan {
  const domain = overrides.domain ?? "demo-a1b2c3.ci.localhost";
  const stack = overrides.stack ?? domain.replaceAll(".", "_");
  return {
    recipe: "demo",
    domain,
    stack,
    server: "default",
    sha: null,
    env: { TYPE: "demo", DOMAIN: domain, SECRET_API_KEY_VERSION: "v1", GREETING: "hello world" },
    composeFiles: ["compose.yml", "compose.extra.yml"],
    secrets: [
      { name: "api_key", version: "v1", length: 40, dockerName: `${stack}_api_key_v1` },
      { name: "db_password", version: "v2", length: 16, dockerName: `${stack}_db_password_v2` },
    ],
    ...overrides,
  };
}
