import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type OutgoingRequest, validateRequest } from "./openapi-validator.js";
import { pullRequestObject } from "./webhook-examples.js";

/**
 * A local stand-in for GitHub's REST API (as GitHub Enterprise serves it, under `/api/v3`) on 127.0.0.1,
 * for driving the real `npm start` process. It answers the calls ccci makes, remembers their effects
 * (check runs, statuses, comments, reactions) and checks every request against GitHub's REST description.
 */
export interface StandInPullRequest {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  cloneUrl: string;
  baseRef: string;
  /** A fork's pull request: the base repository's clone URL (default: the same repository as the head). */
  baseCloneUrl?: string;
  /** `head.repo.pushed_at` (default: the published example's). */
  pushedAt?: string;
}

export interface CheckRunRecord {
  id: number;
  history: Record<string, unknown>[];
  current: Record<string, unknown>;
}

/**
 * A fault the stand-in injects: requests whose route (`METHOD /path`, relative to the pull request's
 * repository) matches, and whose body passes `when`, are answered badly `times` times (default: always).
 */
export interface StandInFault {
  route: RegExp;
  kind: "5xx" | "hang" | "rate-limit" | "secondary-rate-limit";
  when?: (body: Record<string, unknown> | undefined) => boolean;
  times?: number;
  /** How many requests it has spoiled so far. */
  hits?: number;
}

export class StandInGitHub {
  readonly requests: OutgoingRequest[] = [];
  readonly problems: string[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  readonly statuses: Record<string, unknown>[] = [];
  readonly comments: {
    id: number;
    body: string;
    user: { login: string; type: string };
    performed_via_github_app?: { id: number; slug: string } | null;
  }[] = [];
  readonly reactions: Record<string, unknown>[] = [];
  readonly faults: StandInFault[] = [];
  private server: Server | undefined;
  private nextId = 1000;

  constructor(
    private readonly pr: StandInPullRequest,
    private readonly permissions: Record<string, string>,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections(); // hung requests included
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Spoils matching requests from now on; returns the fault (its `hits` count them). */
  fail(fault: StandInFault): StandInFault {
    fault.hits = 0;
    this.faults.push(fault);
    return fault;
  }

  heal(): void {
    this.faults.length = 0;
  }

  /** Requests whose `METHOD /path` (relative to the repository) matches. */
  count(route: RegExp): number {
    return this.requests.filter((r) => route.test(this.route(r.method, new URL(r.url, "http://x").pathname)))
      .length;
  }

  private route(method: string, fullPath: string): string {
    const path = fullPath.replace(/^\/api\/v3/, "");
    const repoPrefix = `/repos/${this.pr.owner}/${this.pr.repo}`;
    return `${method} ${path.startsWith(repoPrefix) ? path.slice(repoPrefix.length) : path}`;
  }

  /** Answers a request with its fault, if one applies; true when it did (or hangs). */
  private spoil(route: string, body: Record<string, unknown> | undefined, res: ServerResponse): boolean {
    const fault = this.faults.find(
      (f) => f.route.test(route) && (f.when?.(body) ?? true) && (f.hits ?? 0) < (f.times ?? Infinity),
    );
    if (!fault) return false;
    fault.hits = (fault.hits ?? 0) + 1;
    const json = { "content-type": "application/json" };
    if (fault.kind === "hang") return true; // never answered
    if (fault.kind === "5xx") res.writeHead(502, json).end('{"message":"Bad Gateway"}');
    else if (fault.kind === "rate-limit") {
      const reset = String(Math.ceil(Date.now() / 1000) + 1);
      res
        .writeHead(403, {
          ...json,
          "x-ratelimit-limit": "5000",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": reset,
        })
        .end('{"message":"API rate limit exceeded for installation ID 1."}');
    } else {
      res
        .writeHead(403, { ...json, "retry-after": "1" })
        .end(
          '{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}',
        );
    }
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text.length > 0 ? JSON.parse(text) : undefined;
    const request: OutgoingRequest = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      ...(body ? { body } : {}),
    };
    this.requests.push(request);
    this.problems.push(...validateRequest(request, "/api/v3"));
    if (this.spoil(this.route(request.method, new URL(request.url, "http://x").pathname), body, res)) return;
    const path = new URL(request.url, "http://x").pathname.replace(/^\/api\/v3/, "");
    const [status, answer] = this.answer(request.method, path, body);
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
  }

  /** Routes relative to the pull request's repository (or absolute, for the app's own endpoints). */
  private routes(): [
    RegExp,
    (match: RegExpMatchArray, body: Record<string, unknown> | undefined) => [number, unknown],
  ][] {
    const pr = this.pr.number;
    return [
      [
        /^POST \/app\/installations\/\d+\/access_tokens$/,
        () => [201, { token: "stand-in-token", expires_at: "2099-01-01T00:00:00Z" }],
      ],
      [
        /^GET \/collaborators\/([^/]+)\/permission$/,
        (m) => {
          const permission = this.permissions[m[1] as string] ?? "none";
          return [200, { permission, role_name: permission, user: { login: m[1] } }];
        },
      ],
      [new RegExp(`^GET /pulls/${pr}$`), () => [200, this.pullRequest()]],
      [/^GET \/app$/, () => [200, { id: 1, slug: "ccci", name: "ccci" }]],
      [
        /^POST \/issues\/comments\/(\d+)\/reactions$/,
        (m, body) => {
          this.reactions.push({ commentId: Number(m[1]), ...body });
          return [201, { id: this.id(), content: body?.content }];
        },
      ],
      [
        /^POST \/check-runs$/,
        (_m, body) => {
          const id = this.id();
          this.checkRuns.push({ id, history: [body ?? {}], current: { ...body } });
          return [
            201,
            { id, html_url: `http://github.stand-in/${this.pr.owner}/${this.pr.repo}/runs/${id}` },
          ];
        },
      ],
      [
        /^PATCH \/check-runs\/(\d+)$/,
        (m, body) => {
          const record = this.checkRuns.find((r) => r.id === Number(m[1]));
          if (!record) return [404, { message: "Not Found" }];
          record.history.push(body ?? {});
          Object.assign(record.current, body);
          return [200, { id: record.id }];
        },
      ],
      [
        /^POST \/statuses\/([0-9a-f]{40})$/,
        (m, body) => {
          this.statuses.push({ sha: m[1], ...body });
          return [201, { id: this.id() }];
        },
      ],
      [new RegExp(`^GET /issues/${pr}/comments$`), () => [200, this.comments]],
      [
        new RegExp(`^POST /issues/${pr}/comments$`),
        (_m, body) => {
          const comment = {
            id: this.id(),
            body: String(body?.body),
            user: { login: "ccci[bot]", type: "Bot" },
            performed_via_github_app: { id: 1, slug: "ccci" },
          };
          this.comments.push(comment);
          return [201, comment];
        },
      ],
      [
        /^PATCH \/issues\/comments\/(\d+)$/,
        (m, body) => {
          const comment = this.comments.find((c) => c.id === Number(m[1]));
          if (!comment) return [404, { message: "Not Found" }];
          comment.body = String(body?.body);
          return [200, comment];
        },
      ],
    ];
  }

  private answer(method: string, path: string, body: Record<string, unknown> | undefined): [number, unknown] {
    const repoPrefix = `/repos/${this.pr.owner}/${this.pr.repo}`;
    const route = `${method} ${path.startsWith(repoPrefix) ? path.slice(repoPrefix.length) : path}`;
    for (const [pattern, respond] of this.routes()) {
      const match = route.match(pattern);
      if (match) return respond(match, body);
    }
    this.problems.push(`stand-in has no answer for ${method} ${path}`);
    return [404, { message: "Not Found" }];
  }

  private pullRequest() {
    const pr = pullRequestObject();
    pr.number = this.pr.number;
    pr.state = "open";
    pr.head.sha = this.pr.headSha;
    pr.head.repo.clone_url = this.pr.cloneUrl;
    pr.base.repo.clone_url = this.pr.baseCloneUrl ?? this.pr.cloneUrl;
    if (this.pr.pushedAt) pr.head.repo.pushed_at = this.pr.pushedAt;
    pr.base.ref = this.pr.baseRef;
    pr.base.repo.name = this.pr.repo;
    pr.base.repo.owner.login = this.pr.owner;
    return pr;
  }

  private id(): number {
    this.nextId += 1;
    return this.nextId;
  }
}
