import { generateKeyPairSync, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { ReplyLimiter } from "../../src/github/reply-limiter.js";
import type { RetryPolicy } from "../../src/github/report-retry.js";
import { type CcciApp, createCcciApp } from "../../src/index.js";
import { FakeEngine } from "./fake-engine.js";
import { type OutgoingRequest, validateRequest } from "./openapi-validator.js";

export const API = "https://api.github.com";
export const WEBHOOK_SECRET = "test-webhook-secret";
/** The GitHub App's id in unit tests: comments it wrote carry `performed_via_github_app: { id: APP_ID }`. */
export const APP_ID = 123;

let privateKey: string | undefined;
/** A throwaway RSA key, made once per test file: Probot signs its app JWT with it. */
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return privateKey;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface Harness {
  probot: Probot;
  engine: FakeEngine;
  app: CcciApp;
  /** Every request the bot sent, in order, with its JSON body. */
  requests: OutgoingRequest[];
  /** Departures from GitHub's REST description; a test passes only if this stays empty. */
  problems: string[];
  /** Log records at warn level and above. */
  logs: { level: number; msg: string }[];
  handlers: Handler[];
  receive(name: string, payload: Record<string, unknown>): Promise<void>;
  /** Waits until every after-delivery task and report has been written. */
  settle(): Promise<void>;
}

async function recordingFetch(
  requests: OutgoingRequest[],
  problems: string[],
  input: string | URL | Request,
  init?: RequestInit,
) {
  const url = input instanceof Request ? input.url : String(input);
  const method = init?.method ?? (input instanceof Request ? input.method : "GET");
  const body = typeof init?.body === "string" && init.body.length > 0 ? JSON.parse(init.body) : undefined;
  const request = { method, url, ...(body !== undefined ? { body } : {}) };
  requests.push(request);
  problems.push(...validateRequest(request));
  return fetch(input, init);
}

/**
 * Probot's documented `ProbotOctokit.defaults({retry:{enabled:false}, throttle:{enabled:false}})`, in the
 * function form: with an object, probot@14's own throttle options (set later, without `enabled`) replace
 * ours on the app-level client, and its 1 s write limiter, shared by every instance, slows each test's
 * token exchange by seconds.
 */
const unthrottledOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));

/** Probot's documented test pattern, with every outgoing request checked against GitHub's description. */
export async function createHarness(
  options: { progressIntervalMs?: number; reportRetry?: RetryPolicy; replies?: ReplyLimiter } = {},
): Promise<Harness> {
  const requests: OutgoingRequest[] = [];
  const problems: string[] = [];
  const logs: { level: number; msg: string }[] = [];
  const log = pino({ level: "warn" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const probot = new Probot({
    appId: APP_ID,
    privateKey: testPrivateKey(),
    secret: WEBHOOK_SECRET,
    log,
    Octokit: unthrottledOctokit,
    request: {
      fetch: (input: string | URL | Request, init?: RequestInit) =>
        recordingFetch(requests, problems, input, init),
    },
  });
  const engine = new FakeEngine();
  const app = createCcciApp({
    engine,
    appId: APP_ID,
    progressIntervalMs: options.progressIntervalMs ?? 0,
    // One attempt unless a test asks for retries: a failed write is then a failed test, not a wait.
    reportRetry: options.reportRetry ?? { attempts: 1, firstDelayMs: 0 },
    ...(options.replies ? { replies: options.replies } : {}),
  });
  const handlers: Handler[] = [];
  await probot.load(app.appFn, { cwd: process.cwd(), addHandler: (handler) => handlers.push(handler) });
  return {
    probot,
    engine,
    app,
    requests,
    problems,
    logs,
    handlers,
    receive: (name, payload) => probot.receive({ id: randomUUID(), name, payload } as never),
    settle: () => app.idle(),
  };
}

/** The installation token exchange every installation-scoped call starts with. */
export function mockInstallationToken(installationId = 1): nock.Scope {
  return nock(API)
    .post(`/app/installations/${installationId}/access_tokens`)
    .reply(200, {
      token: "test-token",
      expires_at: "2099-01-01T00:00:00Z",
      permissions: { checks: "write" },
    });
}

export function mockPermission(user: string, permission: string): nock.Scope {
  return nock(API)
    .get(`/repos/Codertocat/Hello-World/collaborators/${user}/permission`)
    .reply(200, { permission, role_name: permission, user: { login: user } });
}

/** Removes every unused mock; returns the ones that were pending so the test can assert none were. */
export function pendingMocksAfterCleanup(): string[] {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  return pending;
}
