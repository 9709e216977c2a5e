import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { giteaCommentCreatedSchema } from "../../src/gitea/payloads.js";
import { botEnv, freePort, git, mainJs, waitFor } from "./support/bot.js";
import { repoRoot } from "./support/cli.js";
import {
  GiteaApi as Api,
  adminApi,
  createUser,
  type GiteaApi,
  type GiteaComment,
  type GiteaStatus,
  type GiteaUser,
  giteaUnavailable,
  giteaUrl,
  helloRepository,
  pushAs,
} from "./support/gitea.js";
import { leftovers } from "./support/swarm.js";

/**
 * The real bot (`node dist/main.js` with CCCI_FORGE=gitea) against the real Gitea from
 * scripts/gitea-up.sh: users, a repository made from the hello fixture, a pull request, a hook and the
 * comments are made through Gitea's API; Gitea itself delivers the signed webhooks to the bot on
 * loopback; the runs happen on the real swarm; statuses and comments are read back from Gitea.
 */
const skipReason = await giteaUnavailable();
const SECRET = `gitea-e2e-${Date.now()}`;
const COLD_MARKER = "<!-- ccci:result mode=cold -->";
const QUICK_MARKER = "<!-- ccci:result mode=quick -->";

/** A second hook's target: what Gitea really sends, headers and body, to check the payload ccci trusts. */
async function deliveryRecorder() {
  const deliveries: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      deliveries.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  return { deliveries, url, stop: () => new Promise((resolve) => server.close(resolve)) };
}

describe.skipIf(skipReason !== undefined)("npm start with CCCI_FORGE=gitea refuses bad settings", () => {
  it.each([
    ["a missing CCCI_GITEA_URL", { CCCI_GITEA_URL: "" }, /CCCI_GITEA_URL: required with CCCI_FORGE=gitea/],
    [
      "a missing token file",
      { CCCI_GITEA_TOKEN_FILE: "/nonexistent/token" },
      /CCCI_GITEA_TOKEN_FILE: cannot read/,
    ],
    ["a token the real Gitea refuses", {}, /CCCI_GITEA_TOKEN_FILE: .* refused the token \(401\)/],
  ])(
    "%s stops start-up with exit code 2 and a message naming the variable",
    async (_name, patch, message) => {
      const secrets = mkdtempSync(join(tmpdir(), "ccci-gitea-bad-"));
      writeFileSync(join(secrets, "token"), `${"0".repeat(40)}\n`);
      writeFileSync(join(secrets, "secret"), "a-secret-never-printed\n");
      const env = botEnv({
        CCCI_FORGE: "gitea",
        CCCI_GITEA_URL: giteaUrl as string,
        CCCI_GITEA_TOKEN_FILE: join(secrets, "token"),
        CCCI_GITEA_WEBHOOK_SECRET_FILE: join(secrets, "secret"),
        PORT: "0",
        ...patch,
      });
      const result = await execa("node", [mainJs], { cwd: repoRoot, env, reject: false, timeout: 60_000 });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(`${result.stdout}${result.stderr}`).not.toContain("a-secret-never-printed");
      expect(`${result.stdout}${result.stderr}`).not.toContain("0".repeat(40));
    },
  );
});

describe.skipIf(skipReason !== undefined)("the Gitea forge against a real Gitea", () => {
  let recorder: Awaited<ReturnType<typeof deliveryRecorder>>;
  let admin: GiteaApi;
  let maintainer: GiteaUser;
  let writer: GiteaUser;
  let visitor: GiteaUser;
  let bot: GiteaUser;
  let repoDir: string;
  let headSha: string;
  let pull: number;
  let repoPath: string;
  let port: number;
  let botProcess: ResultPromise | undefined;
  let botLog = "";

  const as = (user: GiteaUser) => Api.asToken(giteaUrl as string, user.token);
  const comments = () => as(maintainer).call<GiteaComment[]>("GET", `${repoPath}/issues/${pull}/comments`);
  const botComments = async (marker?: string) =>
    (await comments()).filter((c) => c.user.login === bot.login && (!marker || c.body.includes(marker)));
  const statuses = (sha: string) =>
    as(maintainer).call<GiteaStatus[]>("GET", `${repoPath}/statuses/${sha}?sort=oldest&limit=50`);
  const say = (user: GiteaUser, body: string) =>
    as(user).call<GiteaComment>("POST", `${repoPath}/issues/${pull}/comments`, { body });

  beforeAll(async () => {
    const build = await execa("npm", ["run", "build"], { cwd: repoRoot, reject: false });
    expect(existsSync(mainJs), `dist/main.js is built\n${build.stdout}`).toBe(true);
    admin = adminApi();
    maintainer = await createUser(admin, "maintainer", ["all"]);
    writer = await createUser(admin, "writer", ["all"]);
    visitor = await createUser(admin, "visitor", ["all"]);
    // The bot's token has only the scopes docs/gitea.md asks for.
    bot = await createUser(admin, "ccci-bot", ["write:repository", "write:issue", "read:user"]);
    ({ dir: repoDir, headSha } = await helloRepository(maintainer));
    repoPath = `/repos/${maintainer.login}/hello`;
    for (const user of [bot, writer])
      await as(maintainer).call("PUT", `${repoPath}/collaborators/${user.login}`, { permission: "write" });
    pull = (
      await as(maintainer).call<{ number: number }>("POST", `${repoPath}/pulls`, {
        head: "change",
        base: "main",
        title: "A change to test",
      })
    ).number;

    const secrets = mkdtempSync(join(tmpdir(), "ccci-gitea-secrets-"));
    writeFileSync(join(secrets, "token"), `${bot.token}\n`, { mode: 0o600 });
    writeFileSync(join(secrets, "webhook-secret"), `${SECRET}\n`, { mode: 0o600 });
    port = await freePort();
    const env = botEnv({
      CCCI_FORGE: "gitea",
      CCCI_GITEA_URL: giteaUrl as string,
      CCCI_GITEA_TOKEN_FILE: join(secrets, "token"),
      CCCI_GITEA_WEBHOOK_SECRET_FILE: join(secrets, "webhook-secret"),
      PORT: String(port),
    });
    botProcess = execa("node", [mainJs], { cwd: repoRoot, env, reject: false, forceKillAfterDelay: 120_000 });
    botProcess.stderr?.on("data", (chunk: Buffer) => {
      botLog += chunk.toString();
    });
    await waitFor(
      "the bot's health check",
      async () =>
        (await fetch(`http://127.0.0.1:${port}/ccci/healthz`).then(
          (r) => r.ok,
          () => false,
        ))
          ? true
          : undefined,
      60_000,
    );
    recorder = await deliveryRecorder();
    for (const url of [`http://127.0.0.1:${port}/api/gitea/webhooks`, recorder.url])
      await as(maintainer).call("POST", `${repoPath}/hooks`, {
        type: "gitea",
        active: true,
        events: ["pull_request_only", "pull_request_comment", "pull_request_sync"],
        config: { url, content_type: "json", secret: SECRET },
      });
  }, 240_000);

  afterAll(async () => {
    if (botProcess) {
      botProcess.kill("SIGTERM");
      const result = await botProcess;
      expect(result.exitCode, botLog.slice(-4000)).toBe(0);
      expect(botLog).not.toContain(bot.token);
      expect(botLog).not.toContain(SECRET);
    }
    if (maintainer)
      await as(maintainer)
        .call("DELETE", repoPath)
        .catch(() => undefined);
  }, 300_000);

  it("a delivery with a forged signature is refused with 401 and nothing is written to Gitea", async () => {
    const body = JSON.stringify({
      action: "created",
      is_pull: true,
      issue: { number: pull, state: "open" },
      pull_request: { head: { sha: headSha } },
      comment: { id: 1, body: "!testme" },
      repository: {
        name: "hello",
        owner: { login: maintainer.login },
        permissions: { admin: true, push: true },
      },
      sender: { login: maintainer.login },
    });
    const forged = createHmac("sha256", "not-the-secret").update(body).digest("hex");
    const response = await fetch(`http://127.0.0.1:${port}/api/gitea/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-gitea-event": "issue_comment",
        "x-gitea-event-type": "pull_request_comment",
        "x-hub-signature-256": `sha256=${forged}`,
        "x-gitea-signature": forged,
      },
      body,
    });
    expect(response.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await botComments()).toEqual([]);
    expect(await statuses(headSha)).toEqual([]);
  });

  it("a commenter without write is refused in a reply, and a pasted marker is never taken for the bot's", async () => {
    // Anyone may paste the sticky marker; the bot must only ever edit its own comment.
    const decoy = await say(visitor, `${COLD_MARKER}\nnot the bot's`);
    await say(visitor, "!testme");
    const refusal = await waitFor(
      "the refusal",
      async () => (await botComments()).find((c) => c.body.includes(`@${visitor.login}`)),
      30_000,
    );
    expect(refusal.body).toContain("only collaborators with write access");
    expect(await statuses(headSha)).toEqual([]);
    const after = (await comments()).find((c) => c.id === decoy.id);
    expect(after?.body).toBe(`${COLD_MARKER}\nnot the bot's`);

    // What Gitea sent: signed like GitHub, and `repository.permissions` is the commenter's (read only),
    // not the hook owner's (the maintainer is admin): the trust source docs/gitea.md names.
    const delivery = await waitFor(
      "the recorded delivery of the visitor's command",
      () => recorder.deliveries.find((d) => JSON.parse(d.body).comment?.body === "!testme"),
      30_000,
    );
    expect(delivery.headers).toMatchObject({
      "x-gitea-event": "issue_comment",
      "x-gitea-event-type": "pull_request_comment",
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(delivery.body).digest("hex")}`,
    });
    const payload = giteaCommentCreatedSchema.parse(JSON.parse(delivery.body));
    expect(payload.sender.login).toBe(visitor.login);
    expect(payload.repository.permissions).toMatchObject({ admin: false, push: false });
    expect(payload.pull_request.head.sha).toBe(headSha);
    expect(botLog).not.toContain("may not read them");
  });

  it("!testme from a write collaborator runs cold: 👀, ccci/cold pending → success, one sticky cold comment", async () => {
    const command = await say(writer, "!testme");
    const final = await waitFor(
      "the final ccci/cold status",
      async () => (await statuses(headSha)).find((s) => s.context === "ccci/cold" && s.status !== "pending"),
      540_000,
    );
    expect(final.status, botLog.slice(-3000)).toBe("success");
    const all = await statuses(headSha);
    expect(all.map((s) => s.context)).toEqual(all.map(() => "ccci/cold"));
    expect(all[0]?.status).toBe("pending");
    const sticky = await waitFor(
      "the passed sticky comment",
      async () => {
        const found = await botComments(COLD_MARKER);
        return found.length === 1 && found[0]?.body.includes("passed") ? found : undefined;
      },
      30_000,
    );
    expect(sticky[0]?.body).toContain(headSha.slice(0, 7));
    expect(sticky[0]?.body).not.toContain("check run");
    const reactions = await as(maintainer).call<{ content: string; user: { login: string } }[]>(
      "GET",
      `${repoPath}/issues/comments/${command.id}/reactions`,
    );
    expect(reactions).toMatchObject([{ content: "eyes", user: { login: bot.login } }]);
    // The run happened on the real swarm and left nothing behind.
    const page = (await (
      await fetch(`http://127.0.0.1:${port}/ccci`, { headers: { accept: "application/json" } })
    ).json()) as { recent: { state: string; mode: string; stack?: string }[] };
    expect(page.recent).toMatchObject([{ state: "passed", mode: "cold" }]);
    expect(page.recent[0]?.stack).toMatch(/^hell-[0-9a-f]{6}_/);
    expect(await leftovers(page.recent[0]?.stack as string)).toEqual([]);
    // The writer's own delivery said push: true; the bot (not an admin) never needed the permission API.
    const writerDelivery = recorder.deliveries.find((d) => JSON.parse(d.body).comment?.id === command.id);
    expect(JSON.parse(writerDelivery?.body ?? "{}").repository.permissions).toMatchObject({ push: true });
    expect(botLog).not.toContain("may not read them");
  });

  it("!testme --quick posts its own sticky quick comment and never a gating status", async () => {
    const before = (await statuses(headSha)).length;
    await say(writer, "!testme --quick");
    const sticky = await waitFor(
      "the finished sticky quick comment",
      async () => {
        const found = await botComments(QUICK_MARKER);
        return found[0] && /advisory\)/.test(found[0].body.split("\n")[1] ?? "") ? found : undefined;
      },
      540_000,
    );
    expect(sticky).toHaveLength(1);
    expect(sticky[0]?.body).toContain("ccci · quick");
    expect(await statuses(headSha)).toHaveLength(before);
    expect(await botComments(COLD_MARKER)).toHaveLength(1);
  });

  it("a push supersedes the running cold run: it ends cancelled, the sticky comment is edited in place", async () => {
    const [stickyBefore] = await botComments(COLD_MARKER);
    await say(writer, "!testme");
    await waitFor(
      "the run in progress",
      async () => ((await botComments(COLD_MARKER))[0]?.body.includes("running") ? true : undefined),
      120_000,
    );
    writeFileSync(join(repoDir, "README.md"), "# hello\n\nChanged again.\n");
    await git(repoDir, ["commit", "--quiet", "-am", "a second push"]);
    await pushAs(repoDir, maintainer, "hello", "change:change");
    const newSha = await git(repoDir, ["rev-parse", "HEAD"]);
    const sticky = await waitFor(
      "the cancelled sticky comment",
      async () => {
        const [found] = await botComments(COLD_MARKER);
        return found?.body.includes("cancelled") ? found : undefined;
      },
      300_000,
    );
    expect(sticky.id).toBe(stickyBefore?.id);
    expect(sticky.body).toContain(`superseded by a push of ${newSha.slice(0, 7)}`);
    expect(await botComments(COLD_MARKER)).toHaveLength(1);
    const last = (await statuses(headSha)).at(-1);
    expect(last).toMatchObject({ context: "ccci/cold", status: "error" });
    expect(await statuses(newSha)).toEqual([]);
    const push = recorder.deliveries.find((d) => JSON.parse(d.body).action === "synchronized");
    expect(push?.headers).toMatchObject({
      "x-gitea-event": "pull_request",
      "x-gitea-event-type": "pull_request_sync",
    });
  });
});
