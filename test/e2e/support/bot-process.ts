import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { testPrivateKey } from "../../helpers/probot-harness.js";
import { type CheckRunRecord, StandInGitHub } from "../../helpers/stand-in-github.js";
import { botEnv, freePort, mainJs, OWNER, SECRET, waitFor } from "./bot.js";
import { repoRoot } from "./cli.js";

/**
 * The build under test: `dist/main.js`, or the one CCCI_E2E_BOT_MAIN names (e.g. a copy with recovery
 * deliberately broken, to show that these tests fail then).
 */
const botMain = process.env.CCCI_E2E_BOT_MAIN ?? mainJs;

/** The bot in a process group of its own, both output streams appended to the file `log`. */
function spawnBot(env: Record<string, string>, log: string) {
  return execa("node", [botMain], {
    cwd: repoRoot,
    env,
    reject: false,
    detached: true,
    stdout: { file: log, append: true },
    stderr: { file: log, append: true },
  });
}

/**
 * The real bot (`node dist/main.js`) as a service manager runs it: started, killed and started again on
 * the same state dir and port. Each start is its own process group, so a kill takes the bot's children
 * (docker, cp, git) with it, as systemd's KillMode=control-group does. Logs go to `<logDir>/bot-<n>.log`.
 */
export class BotProcess {
  readonly logDir = mkdtempSync(join(tmpdir(), "ccci-bot-log-"));
  private child: ReturnType<typeof spawnBot> | undefined;
  private starts = 0;

  constructor(
    readonly env: Record<string, string>,
    readonly port: number,
  ) {}

  /** The bot's process id (of the latest start). */
  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error("the bot is not running");
    return pid;
  }

  /** Peak resident memory of the bot's process so far (`VmHWM`), in bytes. */
  peakRss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  }

  /** The log file of the latest start. */
  get log(): string {
    return join(this.logDir, `bot-${this.starts}.log`);
  }

  get stateDir(): string {
    return this.env.CCCI_STATE_DIR as string;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Starts the bot (settings in `overrides` win over the constructor's) and waits for its health check. */
  async start(overrides: Record<string, string> = {}): Promise<void> {
    this.starts += 1;
    this.child = spawnBot({ ...this.env, ...overrides }, join(this.logDir, `bot-${this.starts}.log`));
    // Recovery runs before the server listens: a healthy answer means it has finished.
    await waitFor(
      `the bot's health check (log: ${this.logDir})`,
      async () =>
        (await fetch(this.url("/ccci/healthz")).then(
          (r) => r.ok,
          () => false,
        ))
          ? true
          : undefined,
      60_000,
    );
  }

  /** SIGKILLs the bot's whole process group now (synchronous, so a file watcher can call it). */
  killNow(): void {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error("the bot is not running");
    try {
      process.kill(-pid, "SIGKILL");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }

  /** Resolves once the bot's process has exited, with how it ended. */
  async exited(): Promise<{ signal?: string; exitCode?: number }> {
    const result = await this.child;
    return { signal: result?.signal, exitCode: result?.exitCode };
  }

  async kill(): Promise<void> {
    this.killNow();
    await this.exited();
  }

  /** A clean stop (SIGTERM): cancels runs, tears them down, exits. */
  async stop(): Promise<void> {
    this.child?.kill("SIGTERM");
    await this.child;
  }

  /** POSTs a signed delivery to the bot's webhook path; returns the HTTP status. */
  async deliver(delivery: { headers: Record<string, string>; body: string }): Promise<number> {
    const response = await fetch(this.url("/api/github/webhooks"), {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
    });
    return response.status;
  }
}

/**
 * A stand-in GitHub whose pull request `OWNER/hello#2` has `headSha` (cloned from `repoDir`; `maintainer`
 * may write, `visitor` only read), and the environment of a bot pointed at it on a free port. `settings`
 * are extra CCCI_* settings; the sweep schedule is off unless they switch it on.
 */
export async function standInAndBotEnv(
  pr: { repoDir: string; headSha: string },
  settings: Record<string, string> = {},
): Promise<{ github: StandInGitHub; env: Record<string, string>; port: number }> {
  const github = new StandInGitHub(
    {
      owner: OWNER,
      repo: "hello",
      number: 2,
      headSha: pr.headSha,
      cloneUrl: `file://${pr.repoDir}`,
      baseRef: "main",
    },
    { maintainer: "write", visitor: "read" },
  );
  const gheHost = await github.start();
  const port = await freePort();
  const env = botEnv({
    APP_ID: "1",
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: SECRET,
    PORT: String(port),
    GHE_HOST: gheHost,
    GHE_PROTOCOL: "http",
    CCCI_SWEEP_CRON: "off",
    ...settings,
  });
  return { github, env, port };
}

/** `standInAndBotEnv`, with the bot (not started yet) as a `BotProcess`. */
export async function botWithStandIn(
  pr: { repoDir: string; headSha: string },
  settings: Record<string, string> = {},
): Promise<{ github: StandInGitHub; bot: BotProcess }> {
  const { github, env, port } = await standInAndBotEnv(pr, settings);
  return { github, bot: new BotProcess(env, port) };
}

/** The stand-in's first check run once the bot has marked it in progress. */
export function checkRunInProgress(github: StandInGitHub): CheckRunRecord | undefined {
  const check = github.checkRuns[0];
  return check?.history.some((h) => h.status === "in_progress") ? check : undefined;
}
