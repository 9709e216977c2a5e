import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckRunRecord, StandInGitHub } from "../helpers/stand-in-github.js";
import { commentDelivery, recipeRepository, waitFor } from "./support/bot.js";
import { type BotProcess, botWithStandIn } from "./support/bot-process.js";
import { leftovers } from "./support/swarm.js";

const MARKER = "<!-- ccci:result mode=cold -->";
const completed = (check: CheckRunRecord | undefined) =>
  check?.current.status === "completed" ? check : undefined;

/** Comments that carry ccci's result marker but are not this app's: another app's, and a human's paste. */
const foreign = [
  {
    id: 11,
    body: `${MARKER}\n### ✅ ccci · cold · passed (another app copying the marker)`,
    user: { login: "other-app[bot]", type: "Bot" },
    performed_via_github_app: { id: 99, slug: "other-app" },
  },
  {
    id: 12,
    body: `${MARKER}\nquoted by a human`,
    user: { login: "visitor", type: "User" },
    performed_via_github_app: null,
  },
];

/** The cold runs' stacks (`hell-<6 hex>`) whose services the swarm has now. */
async function coldStacks(): Promise<string[]> {
  const { stdout } = await execa("docker", ["service", "ls", "--format", "{{.Name}}"]);
  return stdout
    .split("\n")
    .filter((name) => /^hell-[0-9a-f]{6}_/.test(name))
    .map((name) => name.replace(/_.*$/, ""));
}

/**
 * The real bot and real cold runs of the `hello` fixture on the swarm, with a stand-in GitHub whose
 * pull request already has comments carrying ccci's result marker that this app did not write, and two
 * maintainers' `!testme` on the same head racing each other.
 */
describe("racing commands and foreign sticky comments", () => {
  let github: StandInGitHub;
  let bot: BotProcess;
  const stacks = new Set<string>();
  let watching = true;

  beforeAll(async () => {
    const repo = await recipeRepository();
    ({ github, bot } = await botWithStandIn(
      { repoDir: repo.dir, headSha: repo.headSha },
      { CCCI_SETTLE_SECONDS: "0" },
    ));
    github.comments.push(...foreign.map((c) => ({ ...c })));
    await bot.start();
    // Every stack the runs deploy, so the last test can show none is left.
    void (async () => {
      while (watching) {
        for (const stack of await coldStacks().catch(() => [])) stacks.add(stack);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
  }, 120_000);

  afterAll(async () => {
    watching = false;
    await bot?.stop();
    await github?.stop();
  }, 300_000);

  it("a second identical !testme while the first is queued or running is merged into it", async () => {
    expect(await bot.deliver(commentDelivery("!testme", "maintainer", 501))).toBe(200);
    const check = await waitFor("the first check run", () => github.checkRuns[0], 60_000);
    expect(check.current.status).not.toBe("completed");
    expect(await bot.deliver(commentDelivery("!testme", "maintainer", 502))).toBe(200);
    // The second comment is acknowledged like the first…
    await waitFor(
      "the second command acknowledged",
      () => (github.reactions.some((r) => r.commentId === 502) ? true : undefined),
      30_000,
    );
    await waitFor("the run completed", () => completed(check), 240_000);
    // …but starts nothing: one check run, one run, its result delivered and saying it took the request.
    expect(github.checkRuns).toHaveLength(1);
    expect(check.current.conclusion).toBe("success");
    const sticky = await waitFor(
      "ccci's own sticky comment with the result",
      () =>
        github.comments.find(
          (c) => c.user.login === "ccci[bot]" && c.body.startsWith(MARKER) && c.body.includes("passed"),
        ),
      60_000,
    );
    expect(sticky.body).toMatch(/@maintainer asked for the same run .* merged into run/);
    expect(JSON.stringify(check.current.output)).toMatch(/merged into run/);
    const pending = github.statuses.filter((s) => s.context === "ccci/cold" && s.state === "pending");
    expect(pending).toHaveLength(1); // one gate, set once
    expect(github.statuses.filter((s) => s.context === "ccci/cold").at(-1)?.state).toBe("success");
  }, 300_000);

  it("the sticky comment is only ever one this app wrote: the foreign ones are never edited", async () => {
    const ours = github.comments.filter((c) => c.body.startsWith(MARKER) && c.user.login === "ccci[bot]");
    expect(ours).toHaveLength(1);
    // A new command after the run finished starts a new run, whose result edits ccci's own comment.
    expect(await bot.deliver(commentDelivery("!testme", "maintainer", 503))).toBe(200);
    await waitFor("the second run", () => completed(github.checkRuns[1]), 240_000);
    const ownId = ours[0]?.id;
    await waitFor(
      "ccci's comment edited with the second run",
      () => (github.count(new RegExp(`^PATCH /issues/comments/${ownId}$`)) > 0 ? true : undefined),
      60_000,
    );
    expect(github.count(/^PATCH \/issues\/comments\/1[12]$/)).toBe(0);
    expect(github.comments.filter((c) => c.body.startsWith(MARKER))).toHaveLength(3);
    for (const original of foreign)
      expect(github.comments.find((c) => c.id === original.id)?.body).toBe(original.body);
    expect(github.problems).toEqual([]);
  }, 300_000);

  it("nothing is left on the swarm", async () => {
    watching = false;
    expect(stacks.size).toBeGreaterThan(0);
    for (const stack of stacks)
      await waitFor(
        `stack ${stack} gone`,
        async () => ((await leftovers(stack)).length === 0 ? true : undefined),
        60_000,
      );
  }, 120_000);
});
