import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GiteaApiError, GiteaClient } from "../../src/gitea/client.js";
import { GiteaForge, whoAmI } from "../../src/gitea/gitea-forge.js";

const TOKEN = "f00d".repeat(10);
type Route = (req: IncomingMessage, body: string) => { status: number; json?: unknown; delayMs?: number };
const requests: { method: string; url: string; auth: string; body: string }[] = [];
let route: Route = () => ({ status: 404 });
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        auth: req.headers.authorization ?? "",
        body,
      });
      const answer = route(req, body);
      const send = () =>
        res
          .writeHead(answer.status, { "content-type": "application/json" })
          .end(JSON.stringify(answer.json ?? {}));
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests.length = 0;
});

const repo = { owner: "maint", repo: "hello" };
const forge = () => new GiteaForge(new GiteaClient({ baseUrl, token: TOKEN }), "ccci-bot");
const MARKER = "<!-- ccci:result mode=cold -->";

describe("the Gitea forge over Gitea's API", () => {
  it("sends the bot's token and reads the bot's login", async () => {
    route = () => ({ status: 200, json: { login: "ccci-bot", id: 3 } });
    expect(await whoAmI(new GiteaClient({ baseUrl, token: TOKEN }))).toBe("ccci-bot");
    expect(requests).toMatchObject([{ method: "GET", url: "/api/v1/user", auth: `token ${TOKEN}` }]);
  });

  it("edits only the bot's own marked comment, skips an unchanged body, and creates one when there is none", async () => {
    let comments = [
      { id: 1, body: `${MARKER}\npasted by someone`, user: { login: "visitor" } },
      { id: 2, body: `${MARKER}\nold`, user: { login: "ccci-bot" } },
    ];
    route = (req) => (req.method === "GET" ? { status: 200, json: comments } : { status: 200, json: {} });
    await forge().ensureStickyComment(repo, 4, MARKER, `${MARKER}\nnew`);
    expect(requests.slice(1)).toMatchObject([
      {
        method: "PATCH",
        url: "/api/v1/repos/maint/hello/issues/comments/2",
        body: JSON.stringify({ body: `${MARKER}\nnew` }),
      },
    ]);
    requests.length = 0;
    comments = [{ id: 2, body: `${MARKER}\nnew`, user: { login: "ccci-bot" } }];
    await forge().ensureStickyComment(repo, 4, MARKER, `${MARKER}\nnew`);
    expect(requests.map((r) => r.method)).toEqual(["GET"]);
    requests.length = 0;
    comments = [{ id: 1, body: `${MARKER}\nx`, user: { login: "visitor" } }];
    await forge().ensureStickyComment(repo, 4, MARKER, `${MARKER}\nnew`);
    expect(requests.slice(1)).toMatchObject([
      { method: "POST", url: "/api/v1/repos/maint/hello/issues/4/comments" },
    ]);
  });

  it.each([
    ["owner", "admin"],
    ["admin", "admin"],
    ["write", "write"],
    ["read", "read"],
    ["none", "none"],
    ["something new", "none"],
  ])("collaborator permission %s reads as %s", async (given, expected) => {
    route = () => ({ status: 200, json: { permission: given, role_name: given } });
    expect(await forge().getPermission(repo, "someone")).toBe(expected);
  });

  it("a 404 for the permission is none; a 403 (bot not admin) is an error naming the call", async () => {
    route = () => ({ status: 404, json: { message: "not found" } });
    expect(await forge().getPermission(repo, "ghost")).toBe("none");
    route = () => ({ status: 403, json: { message: "forbidden" } });
    await expect(forge().getPermission(repo, "x")).rejects.toThrow(
      /GET \/repos\/maint\/hello\/collaborators\/x\/permission answered 403: forbidden/,
    );
  });

  it("Gitea's error text is kept to 200 characters in the error", async () => {
    route = () => ({ status: 500, json: { message: "m".repeat(199) } });
    await expect(forge().reply(repo, 4, "x")).rejects.toThrow(/answered 500: m{199}$/);
    route = () => ({ status: 500, json: { message: "m".repeat(5000) } });
    const error = (await forge()
      .reply(repo, 4, "x")
      .catch((e: unknown) => e)) as Error;
    expect(error.message.endsWith(`answered 500: ${"m".repeat(200)}`)).toBe(true);
  });

  it("path segments from outside are encoded", async () => {
    route = () => ({ status: 200, json: { permission: "read" } });
    await forge().getPermission(repo, "a/../../admin");
    expect(requests[0]?.url).toBe("/api/v1/repos/maint/hello/collaborators/a%2F..%2F..%2Fadmin/permission");
  });

  it("a commit status is posted with the description cut to 140 characters", async () => {
    route = () => ({ status: 201, json: {} });
    await forge().setCommitStatus(repo, {
      sha: "e".repeat(40),
      context: "ccci/cold",
      state: "pending",
      description: "d".repeat(300),
    });
    expect(JSON.parse(requests[0]?.body ?? "{}")).toEqual({
      state: "pending",
      context: "ccci/cold",
      description: "d".repeat(140),
    });
  });

  it("the pull request is read from Gitea's shape; a deleted head repository reads as null", async () => {
    route = () => ({
      status: 200,
      json: {
        number: 4,
        state: "open",
        html_url: "h",
        head: { sha: "e".repeat(40), repo: null },
        base: { ref: "main", repo: { name: "hello", clone_url: "http://127.0.0.1:13000/coop/hello.git" } },
      },
    });
    expect(await forge().getPullRequest(repo, 4)).toMatchObject({
      headCloneUrl: null,
      baseCloneUrl: "http://127.0.0.1:13000/coop/hello.git",
      baseRef: "main",
      baseRepoName: "hello",
    });
  });

  it("a call that takes longer than the timeout fails; one just inside it succeeds; the token is in neither error", async () => {
    const client = new GiteaClient({ baseUrl, token: TOKEN, timeoutMs: 300 });
    route = () => ({ status: 200, json: { login: "ccci-bot" }, delayMs: 50 });
    expect(await whoAmI(client)).toBe("ccci-bot");
    route = () => ({ status: 200, json: { login: "ccci-bot" }, delayMs: 1000 });
    const error = await whoAmI(client).catch((e: unknown) => e as GiteaApiError);
    expect(error).toBeInstanceOf(GiteaApiError);
    expect((error as GiteaApiError).message).toMatch(/GET \/user answered 0: no answer within 300 ms/);
    expect(String((error as Error).message)).not.toContain(TOKEN);
  });

  it("a transient failure of a repeatable call is tried again, at most three times; a comment is posted once", async () => {
    const client = new GiteaClient({ baseUrl, token: TOKEN, retryDelayMs: 10 });
    const bot = new GiteaForge(client, "ccci-bot");
    let failures = 2;
    route = () => (failures-- > 0 ? { status: 503 } : { status: 201, json: {} });
    await bot.setCommitStatus(repo, {
      sha: "e".repeat(40),
      context: "ccci/cold",
      state: "pending",
      description: "d",
    });
    expect(requests.map((r) => r.method)).toEqual(["POST", "POST", "POST"]);
    requests.length = 0;
    failures = 3;
    await expect(bot.acknowledgeComment(repo, 5)).rejects.toThrow(/answered 503/);
    expect(requests).toHaveLength(3);
    requests.length = 0;
    failures = 1;
    await expect(bot.reply(repo, 4, "hello")).rejects.toThrow(/answered 503/);
    expect(requests).toHaveLength(1);
    requests.length = 0;
    route = () => ({ status: 422, json: { message: "bad" } });
    await expect(bot.acknowledgeComment(repo, 5)).rejects.toThrow(/answered 422: bad/);
    expect(requests).toHaveLength(1);
  });

  it("Gitea has no check runs: those methods refuse, and a re-run is a new command", async () => {
    await expect(forge().createCheckRun(repo, {} as never)).rejects.toThrow(/no check runs/);
    expect(await forge().listCheckRunsInSuite(repo, 1)).toEqual([]);
  });
});
