import type { z } from "zod";

/** A Gitea API answer other than 2xx. The message names the call, never the token. */
export class GiteaApiError extends Error {
  constructor(
    readonly status: number,
    readonly call: string,
    detail: string,
  ) {
    super(`Gitea ${call} answered ${status}${detail ? `: ${detail}` : ""}`);
    this.name = "GiteaApiError";
  }
}

export interface GiteaClientOptions {
  baseUrl: string;
  token: string;
  /** Longest a single API call may take; default 30 s. */
  timeoutMs?: number;
  /** Most attempts of a call that is safe to repeat; default 3. */
  attempts?: number;
  /** Wait before the first repeat, doubled for each further one; default 1 s. */
  retryDelayMs?: number;
}

export interface RequestOptions {
  /** Repeating the call cannot duplicate anything (a status, a reaction); GET and PATCH always are. */
  idempotent?: boolean;
}

/** Answers worth another try: no answer at all, rate limiting, and a proxy or Gitea restarting. */
const TRANSIENT = new Set([0, 429, 502, 503, 504]);

/** Gitea's own error text is short JSON (`{"message": ...}`); keep at most a line of it. */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === "string") return message.slice(0, 200);
  } catch {}
  return text.slice(0, 200);
}

/**
 * Gitea's REST API (`/api/v1`) over fetch, with the bot user's token. Answers are parsed with the
 * caller's zod schema: only the fields ccci reads, checked at the edge.
 */
export class GiteaClient {
  private readonly apiUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: GiteaClientOptions) {
    this.apiUrl = `${options.baseUrl}/api/v1`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * One API call. Calls safe to repeat are tried again on transient failures (a bounded number of times,
   * backing off); a comment is never posted twice, so POSTs are tried once unless marked idempotent.
   */
  async request<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    const repeatable = options.idempotent || method === "GET" || method === "PATCH";
    const attempts = repeatable ? (this.options.attempts ?? 3) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, path, schema, body);
      } catch (error) {
        if (!(error instanceof GiteaApiError) || !TRANSIENT.has(error.status) || attempt >= attempts)
          throw error;
        const delay = (this.options.retryDelayMs ?? 1000) * 2 ** (attempt - 1);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async once<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const call = `${method} ${path}`;
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `token ${this.options.token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "error",
      });
    } catch (error) {
      const reason = (error as Error).name === "TimeoutError" ? `no answer within ${this.timeoutMs} ms` : "";
      throw new GiteaApiError(0, call, reason || (error as Error).message);
    }
    if (!response.ok) throw new GiteaApiError(response.status, call, await errorDetail(response));
    const text = await response.text();
    return schema.parse(text.length > 0 ? JSON.parse(text) : null);
  }
}

/** Path segments from outside (owner, repo, user names) are encoded, never spliced in raw. */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}
