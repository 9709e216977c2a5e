import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "./bot.js";
import { fixture } from "./cli.js";

/**
 * The real Gitea that scripts/gitea-up.sh starts on loopback (settings in .state/gitea.env, sourced by
 * .ci/run). Users, repositories, pull requests, hooks and comments are all made through Gitea's API.
 */
export const giteaUrl = process.env.CCCI_E2E_GITEA_URL;
const adminTokenFile = process.env.CCCI_E2E_GITEA_ADMIN_TOKEN_FILE;

async function reachable(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  return fetch(`${url}/api/healthz`, { signal: AbortSignal.timeout(5000) }).then(
    (r) => r.ok,
    () => false,
  );
}

/**
 * .ci/run builds and starts Gitea in the background (its first build takes minutes) and names the file
 * its exit code lands in: wait for it, at most CCCI_E2E_GITEA_WAIT_SECONDS (default 40 min).
 */
async function waitForBackgroundStart(): Promise<string | undefined> {
  const file = process.env.CCCI_E2E_GITEA_WAIT_FILE;
  if (!file) return undefined;
  const deadline = Date.now() + Number(process.env.CCCI_E2E_GITEA_WAIT_SECONDS ?? 2400) * 1000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) return `scripts/gitea-up.sh did not finish in time (${file} never appeared)`;
    await new Promise((done) => setTimeout(done, 2000));
  }
  const rc = readFileSync(file, "utf8").trim();
  return rc === "0" ? undefined : `scripts/gitea-up.sh exited ${rc} (see .state/gitea-up.log)`;
}

/** Why the Gitea suites cannot run, or undefined when they can. CI (CCCI_REQUIRE_GITEA=1) never skips. */
export async function giteaUnavailable(): Promise<string | undefined> {
  let why = await waitForBackgroundStart();
  if (!why && (!giteaUrl || !adminTokenFile))
    why = "CCCI_E2E_GITEA_URL / CCCI_E2E_GITEA_ADMIN_TOKEN_FILE are not set";
  if (!why && !(await reachable(giteaUrl))) why = `no Gitea answers at ${giteaUrl}/api/healthz`;
  if (why && process.env.CCCI_REQUIRE_GITEA === "1")
    throw new Error(`CCCI_REQUIRE_GITEA=1 but ${why}: scripts/gitea-up.sh did not run or failed`);
  if (why)
    console.warn(
      `\n*** Gitea e2e tests SKIPPED: ${why}. Run \`bash scripts/gitea-up.sh\` and source .state/gitea.env (.ci/run does). ***\n`,
    );
  return why;
}

export interface GiteaUser {
  login: string;
  password: string;
  token: string;
}

/** One Gitea API caller: a user's token, or basic auth while that user makes its first token. */
export class GiteaApi {
  constructor(
    readonly url: string,
    private readonly auth: string,
  ) {}

  static asToken(url: string, token: string): GiteaApi {
    return new GiteaApi(url, `token ${token}`);
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: this.auth,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export function adminApi(): GiteaApi {
  return GiteaApi.asToken(giteaUrl as string, readFileSync(adminTokenFile as string, "utf8").trim());
}

/** A fresh suffix per suite run, so runs against the same long-lived Gitea never collide. */
export const runTag = randomBytes(3).toString("hex");

/** A user made by the admin, with a token of the given scopes made with its own password. */
export async function createUser(admin: GiteaApi, name: string, scopes: string[]): Promise<GiteaUser> {
  const login = `${name}-${runTag}`;
  const password = `pw-${randomBytes(12).toString("hex")}`;
  await admin.call("POST", "/admin/users", {
    username: login,
    email: `${login}@ccci.test`,
    password,
    must_change_password: false,
  });
  const basic = new GiteaApi(admin.url, `Basic ${Buffer.from(`${login}:${password}`).toString("base64")}`);
  const token = await basic.call<{ sha1: string }>("POST", `/users/${login}/tokens`, {
    name: `e2e-${runTag}`,
    scopes,
  });
  return { login, password, token: token.sha1 };
}

/** Pushes over HTTP as `user` (credentials in the URL of this one command, never in a config file). */
export async function pushAs(dir: string, user: GiteaUser, repo: string, refspec: string): Promise<void> {
  const url = new URL(`${giteaUrl}/${user.login}/${repo}.git`);
  url.username = user.login;
  url.password = user.password;
  await git(dir, ["push", "--quiet", url.toString(), refspec]);
}

/**
 * `hello` as a Gitea repository of `owner`: the fixture on `main`, and a `change` branch one commit
 * ahead that the pull request proposes. Returns the clone and the branch head.
 */
export async function helloRepository(owner: GiteaUser): Promise<{ dir: string; headSha: string }> {
  await GiteaApi.asToken(giteaUrl as string, owner.token).call("POST", "/user/repos", {
    name: "hello",
    private: false,
    default_branch: "main",
  });
  const dir = join(mkdtempSync(join(tmpdir(), "ccci-gitea-e2e-")), "hello");
  cpSync(fixture("hello"), dir, { recursive: true });
  await git(dir, ["init", "--quiet", "--initial-branch=main"]);
  await git(dir, ["add", "-A"]);
  await git(dir, ["commit", "--quiet", "-m", "hello recipe"]);
  await pushAs(dir, owner, "hello", "main:main");
  await git(dir, ["checkout", "--quiet", "-b", "change"]);
  writeFileSync(join(dir, "README.md"), "# hello\n\nChanged by the pull request.\n");
  await git(dir, ["commit", "--quiet", "-am", "the pull request's change"]);
  await pushAs(dir, owner, "hello", "change:change");
  return { dir, headSha: await git(dir, ["rev-parse", "HEAD"]) };
}

export interface GiteaComment {
  id: number;
  body: string;
  user: { login: string };
}

export interface GiteaStatus {
  context: string;
  status: string;
  description: string;
}
