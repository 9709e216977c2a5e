import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StandInGitHub } from "../helpers/stand-in-github.js";
import { commentDelivery, waitFor } from "./support/bot.js";
import { type BotProcess, botWithStandIn } from "./support/bot-process.js";

const MiB = 1024 * 1024;

/**
 * POSTs `size` bytes of garbage (unsigned) to the webhook path, declared or chunked, and stops sending
 * once the bot answers. Resolves with the status and how long the answer took.
 */
function hugePost(port: number, size: number, declare: boolean): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answered = false;
    let sent = 0;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": "huge-1",
      "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
      ...(declare ? { "content-length": String(size) } : {}),
    };
    const req = request(
      { host: "127.0.0.1", port, path: "/api/github/webhooks", method: "POST", headers },
      (res) => {
        answered = true;
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(MiB, 0x20);
    const pump = () => {
      while (!answered && sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/**
 * The real bot (`node dist/main.js`) against a stand-in GitHub that can fail: oversized bodies,
 * replayed deliveries, floods of refused commands, a failing and a rate-limited permission API, and
 * commands hidden in HTML comments. No run is started (no maintainer asks for one), so no swarm is used.
 */
describe("the bot under abusive input", () => {
  let github: StandInGitHub;
  let bot: BotProcess;

  beforeAll(async () => {
    ({ github, bot } = await botWithStandIn(
      { repoDir: "/nonexistent", headSha: "0".repeat(40) },
      { CCCI_RATE_LIMIT_RETRIES: "2", CCCI_GITHUB_TIMEOUT: "3" },
    ));
    await bot.start();
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await github?.stop();
  }, 120_000);

  it.each([
    ["declared", true],
    ["chunked", false],
  ])(
    "a 300 MB unsigned POST (%s) is answered 413 at once and the bot's memory stays small",
    async (_n, declare) => {
      const before = bot.peakRss();
      const answer = await hugePost(bot.port, 300 * MiB, declare);
      expect(answer.status).toBe(413);
      expect(answer.ms).toBeLessThan(2_000);
      const peak = bot.peakRss();
      expect(peak - before).toBeLessThan(64 * MiB); // the 25 MiB cap, not 300 MB (it peaked at 3.5 GB)
      expect(peak).toBeLessThan(300 * MiB);
      // The bot still answers a good delivery.
      expect(await bot.deliver(commentDelivery("just a comment", "visitor"))).toBe(200);
    },
  );

  it("the same delivery three times, and again after a restart, is handled once", async () => {
    const delivery = commentDelivery("!testme --bogus", "maintainer");
    for (let i = 0; i < 3; i++) expect(await bot.deliver(delivery)).toBe(200);
    const helpReplies = () => github.comments.filter((c) => c.body.includes("did not understand")).length;
    await waitFor("the help reply", () => (helpReplies() > 0 ? true : undefined), 30_000);
    await bot.stop();
    await bot.start();
    expect(await bot.deliver(delivery)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(helpReplies()).toBe(1);
  });

  it("a flood of refused commands from one user gets one refusal", async () => {
    for (let i = 0; i < 20; i++) expect(await bot.deliver(commentDelivery("!testme", "visitor"))).toBe(200);
    const refusals = () => github.comments.filter((c) => c.body.includes("only collaborators")).length;
    await waitFor("the refusal", () => (refusals() > 0 ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // The denial is remembered for a minute: a second flood costs no permission check at all.
    const checks = github.count(/^GET \/collaborators\/visitor\/permission$/);
    for (let i = 0; i < 20; i++) expect(await bot.deliver(commentDelivery("!testme", "visitor"))).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(github.count(/^GET \/collaborators\/visitor\/permission$/)).toBe(checks);
    expect(refusals()).toBe(1);
  });

  it("commands inside HTML comments make no API call at all", async () => {
    const before = github.requests.length;
    expect(
      await bot.deliver(commentDelivery("<!-- !testme -->\n<!--\n!testme --quick\n-->", "maintainer")),
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(github.requests.length).toBe(before);
  });

  it.each([
    ["answers 5xx", "5xx" as const, 4], // Octokit's own retry: 3 more
    ["is rate-limited (403, x-ratelimit-remaining: 0)", "rate-limit" as const, 3], // CCCI_RATE_LIMIT_RETRIES=2
    ["is secondary-rate-limited (403, retry-after)", "secondary-rate-limit" as const, 3],
    ["hangs", "hang" as const, 4], // each aborted after CCCI_GITHUB_TIMEOUT=3 s, then retried as a 5xx
  ])(
    "when the permission API %s, the commenter is told to try again after bounded retries",
    async (_n, kind, most) => {
      const user = `maint-${kind}`;
      const fault = github.fail({ route: new RegExp(`^GET /collaborators/${user}/permission$`), kind });
      const replies = () =>
        github.comments.filter((c) => c.body.startsWith(`@${user} ccci could not check`)).length;
      expect(await bot.deliver(commentDelivery("!testme", user))).toBe(200);
      await waitFor("the reply", () => (replies() > 0 ? true : undefined), 90_000);
      const hits = fault.hits;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(fault.hits).toBe(hits); // retries have ended
      expect(fault.hits).toBeGreaterThanOrEqual(kind === "hang" ? 1 : most);
      expect(fault.hits).toBeLessThanOrEqual(most);
      expect(replies()).toBe(1);
      // A second command within the window is not answered again (per user and pull request).
      expect(await bot.deliver(commentDelivery("!testme", user))).toBe(200);
      await waitFor(
        "the second permission check given up",
        () => ((fault.hits ?? 0) > (hits ?? 0) ? true : undefined),
        90_000,
      );
      await new Promise((resolve) => setTimeout(resolve, kind === "hang" ? 30_000 : 16_000));
      expect(replies()).toBe(1);
    },
    240_000,
  );

  it("none of it confused the stand-in's API description", () => {
    expect(github.problems).toEqual([]);
  });
});
