import { readFileSync } from "node:fs";
import { z } from "zod";
import { UserError } from "../errors.js";

/**
 * Probot's standard environment, checked before anything starts. Unlike Probot's own reader, a
 * missing APP_ID does not become `NaN` or the setup wizard, and a missing WEBHOOK_SECRET does not fall
 * back to the public default "development": each stops start-up with a message naming the variable.
 */
const probotEnvSchema = z.object({
  APP_ID: z
    .string({ error: "required: the GitHub App's id" })
    .regex(/^[1-9]\d*$/, "expected a positive whole number"),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z
    .string({ error: "required: the secret GitHub signs deliveries with" })
    .min(1, "must not be empty"),
  PORT: z.coerce.number().int().min(0).max(65_535, "expected a TCP port (0-65535)").default(3000),
  HOST: z.string().min(1).optional(),
  WEBHOOK_PATH: z.string().regex(/^\//, "expected a path starting with /").default("/api/github/webhooks"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  GHE_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, "expected a host name, optionally with :port, no scheme")
    .optional(),
  GHE_PROTOCOL: z.enum(["https", "http"], { error: "expected 'https' or 'http'" }).default("https"),
});

export interface ProbotEnv {
  appId: number;
  privateKey: string;
  secret: string;
  port: number;
  host?: string;
  webhookPath: string;
  logLevel: z.infer<typeof probotEnvSchema>["LOG_LEVEL"];
  /** `${GHE_PROTOCOL}://${GHE_HOST}/api/v3`, or undefined for github.com. */
  baseUrl?: string;
}

const PEM_HEADER = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function privateKeyFrom(env: z.infer<typeof probotEnvSchema>): string {
  if (env.PRIVATE_KEY) {
    // Like Probot: escaped newlines (one-line env files) and base64-encoded keys are accepted.
    const text = env.PRIVATE_KEY.replace(/\\n/g, "\n");
    const key = PEM_HEADER.test(text) ? text : Buffer.from(text, "base64").toString("utf8");
    if (!PEM_HEADER.test(key)) throw problem("PRIVATE_KEY", "not a PEM private key (nor base64 of one)");
    return key;
  }
  if (!env.PRIVATE_KEY_PATH) throw problem("PRIVATE_KEY", "required: set PRIVATE_KEY or PRIVATE_KEY_PATH");
  let key: string;
  try {
    key = readFileSync(env.PRIVATE_KEY_PATH, "utf8");
  } catch (error) {
    throw problem("PRIVATE_KEY_PATH", `cannot read the key file (${(error as NodeJS.ErrnoException).code})`);
  }
  if (!PEM_HEADER.test(key)) throw problem("PRIVATE_KEY_PATH", "the file is not a PEM private key");
  return key;
}

function problem(name: string, message: string): UserError {
  return new UserError("CONFIG_INVALID", `invalid configuration:\n  ${name}: ${message}`);
}

/** Reads Probot's settings; throws a UserError naming each bad variable (never echoing secrets). */
export function readProbotEnv(env: NodeJS.ProcessEnv = process.env): ProbotEnv {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = probotEnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new UserError("CONFIG_INVALID", `invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const data = parsed.data;
  return {
    appId: Number(data.APP_ID),
    privateKey: privateKeyFrom(data),
    secret: data.WEBHOOK_SECRET,
    port: data.PORT,
    ...(data.HOST ? { host: data.HOST } : {}),
    webhookPath: data.WEBHOOK_PATH,
    logLevel: data.LOG_LEVEL,
    ...(data.GHE_HOST ? { baseUrl: `${data.GHE_PROTOCOL}://${data.GHE_HOST}/api/v3` } : {}),
  };
}
