import { z } from "zod";
import { UserError } from "../errors.js";

/** The listener settings the Gitea bot shares with Probot's (PORT, HOST, LOG_LEVEL), checked the same way. */
const serverEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535, "expected a TCP port (0-65535)").default(3000),
  HOST: z.string().min(1).default("localhost"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export type ServerEnv = z.infer<typeof serverEnvSchema>;

export function readServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  const present = Object.fromEntries(
    ["PORT", "HOST", "LOG_LEVEL"].flatMap((name) => (env[name] ? [[name, env[name]]] : [])),
  );
  const parsed = serverEnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new UserError("CONFIG_INVALID", `invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  return parsed.data;
}
