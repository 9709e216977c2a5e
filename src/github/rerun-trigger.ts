import type { Mode, Run } from "../engine/run.js";
import type { Logger } from "../log.js";
import { mayStartRuns } from "./authority.js";
import type { Forge, RepoRef } from "./forge.js";
import { checkRunNames, parseExternalId, pullRequestOrigin } from "./origin.js";
import { checkRunRerequestedSchema, checkSuiteRerequestedSchema, repoRefOf } from "./payloads.js";
import { startRun } from "./start-run.js";
import type { TriggerDeps } from "./trigger-deps.js";

interface Rerun {
  repo: RepoRef;
  sha: string;
  user: string;
  installationId: number;
  checkSuiteId?: number;
}

/** The PR a re-run belongs to: from the original run when this process knows it, else from the payload. */
function pullNumberFor(runs: (Run | undefined)[], payloadPulls: { number: number }[]): number | undefined {
  for (const run of runs) {
    const origin = run && pullRequestOrigin(run);
    if (origin) return origin.pullNumber;
  }
  return payloadPulls[0]?.number;
}

async function rerun(
  deps: TriggerDeps,
  forge: Forge,
  rerun: Rerun,
  pullNumber: number,
  mode: Mode,
  log: Logger,
) {
  const outcome = await startRun(deps.engine, forge, {
    repo: rerun.repo,
    pullNumber,
    mode,
    requestedBy: rerun.user,
    installationId: rerun.installationId,
    sha: rerun.sha,
    ...(rerun.checkSuiteId ? { checkSuiteId: rerun.checkSuiteId } : {}),
  });
  if (outcome.kind === "refused") {
    await forge.reply(rerun.repo, pullNumber, outcome.reply);
    return;
  }
  log.info({ runId: outcome.run.id, mode, outcome: outcome.kind }, "re-run submitted");
  if (outcome.kind === "started") deps.reporter.notify(outcome.run);
}

/** `check_run.rerequested`: a new run with the same mode (from `external_id`) and the same SHA. */
export function onCheckRunRerequested(deps: TriggerDeps, rawPayload: unknown, log: Logger): void {
  const parsed = checkRunRerequestedSchema.safeParse(rawPayload);
  if (!parsed.success) return;
  const payload = parsed.data;
  const previous = parseExternalId(payload.check_run.external_id);
  if (!previous) return; // not one of ccci's check runs
  const request: Rerun = {
    repo: repoRefOf(payload),
    sha: payload.check_run.head_sha,
    user: payload.sender.login,
    installationId: payload.installation.id,
  };
  const pullNumber = pullNumberFor([deps.engine.get(previous.runId)], payload.check_run.pull_requests);
  if (pullNumber === undefined) {
    log.warn({ runId: previous.runId }, "re-run requested for a check run of no known pull request; ignored");
    return;
  }
  deps.tasks.run(
    "check run re-run",
    async () => {
      const forge = await deps.forgeFor(request.installationId);
      if (!(await mayStartRuns(forge, request.repo, request.user))) return;
      await rerun(deps, forge, request, pullNumber, previous.mode, log);
    },
    log,
  );
}

/** The modes ccci ran for this SHA: from this process's runs, else from the suite's check runs. */
async function modesRunFor(forge: Forge, request: Rerun, runs: Run[]): Promise<Mode[]> {
  if (runs.length > 0) return [...new Set(runs.map((run) => run.mode))];
  const existing = await forge.listCheckRunsInSuite(request.repo, request.checkSuiteId ?? 0);
  const modes = existing.map((check) => parseExternalId(check.externalId)?.mode);
  return (["cold", "quick"] as const).filter(
    (mode) => modes.includes(mode) || existing.some((check) => check.name === checkRunNames[mode]),
  );
}

/** `check_suite.rerequested`: re-runs the latest run of each mode ccci ran for that SHA. */
export function onCheckSuiteRerequested(deps: TriggerDeps, rawPayload: unknown, log: Logger): void {
  const parsed = checkSuiteRerequestedSchema.safeParse(rawPayload);
  if (!parsed.success) return;
  const payload = parsed.data;
  const request: Rerun = {
    repo: repoRefOf(payload),
    sha: payload.check_suite.head_sha,
    user: payload.sender.login,
    installationId: payload.installation.id,
    checkSuiteId: payload.check_suite.id,
  };
  const runsForSha = deps.engine.list().filter((run) => {
    const origin = pullRequestOrigin(run);
    return (
      origin?.headSha === request.sha &&
      origin.owner === request.repo.owner &&
      origin.repo === request.repo.repo
    );
  });
  const pullNumber = pullNumberFor(runsForSha, payload.check_suite.pull_requests);
  if (pullNumber === undefined) {
    log.warn({ sha: request.sha }, "check suite re-run for a commit of no known pull request; ignored");
    return;
  }
  deps.tasks.run(
    "check suite re-run",
    async () => {
      const forge = await deps.forgeFor(request.installationId);
      if (!(await mayStartRuns(forge, request.repo, request.user))) return;
      for (const mode of await modesRunFor(forge, request, runsForSha)) {
        await rerun(deps, forge, request, pullNumber, mode, log);
      }
    },
    log,
  );
}
