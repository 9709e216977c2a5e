import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { redactCcciSecretsDeep, seedCcciSecrets } from "../ccci-secrets.js";
import type { Settings } from "../config.js";
import { createDeployer } from "../deploy/create-deployer.js";
import { DockerCli } from "../deploy/docker.js";
import { CcciError } from "../errors.js";
import type { Logger } from "../log.js";
import { createDiskGuard, type DiskGuard } from "../ops/disk-guard.js";
import { type RecipePolicy, recipePolicy } from "../recipe/policy-allow.js";
import { recipeNameOf } from "../recipe/source.js";
import { Redactor } from "../redact.js";
import { promoteCanonical } from "../warm/promote.js";
import { WarmLayer } from "../warm/warm-layer.js";
import type { EngineApi, RunHandle } from "./api.js";
import { runCold } from "./cold.js";
import type { RunContext } from "./context.js";
import { RunJournal } from "./journal.js";
import { RunLocks } from "./locks.js";
import { runQuick } from "./quick.js";
import { type RecoveredRun, recoverInterruptedRuns } from "./recovery.js";
import { isFinished, type Run, type RunRequest } from "./run.js";
import { newRunId } from "./run-id.js";

export interface EngineDeps {
  settings: Settings;
  log: Logger;
}

interface Entry {
  run: Run;
  abort: AbortController;
  cancelled: Promise<void>;
  cancel: () => void;
  done: Promise<Run>;
}

/** What leaves the engine (reporters, the status page, the CLI's JSON): a copy without ccci's secrets. */
const snapshot = (run: Run): Run => redactCcciSecretsDeep(structuredClone(run));

/** The in-process orchestration engine: queues runs, bounds them with locks, runs their lifecycles. */
export interface Engine extends EngineApi {
  /** Cancels every unfinished run and waits for their teardowns. */
  shutdown(): Promise<void>;
  /** Tears down runs a previous process left unfinished (crash, SIGKILL). Call once at start-up. */
  recover(): Promise<RecoveredRun[]>;
  /** Free space of the docker data root and the state dir; checked before every run. */
  readonly disk: DiskGuard;
  /** The warm layer (enrolment, registry, snapshot stores) this engine uses. */
  readonly warm: WarmLayer;
  /** Adds trigger data (e.g. the check run id) to the run's record and journal, for reporters and recovery. */
  recordOrigin(runId: string, origin: Record<string, unknown>): Promise<void>;
}

export function createEngine(deps: EngineDeps): Engine {
  const { settings, log } = deps;
  seedCcciSecrets(process.env);
  const docker = new DockerCli(settings.CCCI_DOCKER_BIN, settings.CCCI_DOCKER_TIMEOUT * 1000);
  const locks = new RunLocks(settings.CCCI_MAX_TESTS);
  const entries = new Map<string, Entry>();
  const listeners = new Set<(run: Run) => void>();
  mkdirSync(join(settings.CCCI_STATE_DIR, "runs"), { recursive: true });

  const notify = (run: Run) => {
    const copy = snapshot(run);
    for (const listener of listeners) {
      try {
        listener(copy);
      } catch (error) {
        log.error({ err: error, runId: run.id }, "run listener failed");
      }
    }
  };

  const warm = new WarmLayer(settings, log);
  const disk = createDiskGuard({
    docker,
    stateDir: settings.CCCI_STATE_DIR,
    soft: settings.CCCI_DISK_SOFT,
    hard: settings.CCCI_DISK_HARD,
    log: log.child({ name: "disk" }),
  });
  const hooks = { canonicalCommit: (recipe: string) => warm.knownGoodCommit(recipe) };

  /** `ccci canonical rewarm`: rebuild the canonical from scratch at its known-good commit. */
  async function rewarm(ctx: RunContext): Promise<void> {
    const { run } = ctx;
    const known = await warm.knownGoodCommit(run.recipe);
    const outcome = known
      ? await promoteCanonical(ctx, warm, known, { requirePromotable: false })
      : `not rewarmed: ${run.recipe} has no canonical yet (seed it first)`;
    run.notes.push(outcome.replace(/^promoted/, "rewarmed"));
    run.state = outcome.startsWith("promoted") ? "passed" : "failed";
    if (run.state === "failed") run.reason = outcome;
    await rm(ctx.runDir, { recursive: true, force: true });
  }

  /** cold (and promotion when asked for and green), or quick on the canonical. */
  async function runLifecycle(ctx: RunContext): Promise<void> {
    const { run } = ctx;
    if (run.request.rewarm) return rewarm(ctx);
    if (run.mode === "quick") return runQuick(ctx, warm, () => runCold(ctx, hooks));
    await runCold(ctx, hooks);
    if (run.request.promote && run.state === "passed" && run.sha) {
      const outcome = await promoteCanonical(ctx, warm, run.sha).catch(
        (error) => `promotion failed: ${(error as Error).message}`,
      );
      run.notes.push(outcome);
      await rm(ctx.runDir, { recursive: true, force: true });
    } else if (run.request.promote) {
      run.notes.push("not promoted: the cold run did not pass");
    }
  }

  /**
   * The enrolment may map a repository name to another recipe (`repositories:` in recipes.yml), and may
   * grant the recipe exceptions to the compose policy (an unreadable enrolment grants none).
   */
  async function applyEnrolment(run: Run): Promise<RecipePolicy> {
    const enrolment = await warm.enrolment().catch(() => undefined);
    const key = Object.keys(enrolment?.repositories ?? {}).find((name) => name.toLowerCase() === run.recipe);
    const mapped = key ? enrolment?.repositories[key] : undefined;
    if (mapped && mapped !== run.recipe) {
      run.notes.push(`repository ${run.recipe} is the recipe ${mapped} (enrolment)`);
      run.recipe = mapped;
    }
    return recipePolicy(settings, enrolment?.recipes[run.recipe]?.allow);
  }

  async function execute(entry: Entry): Promise<Run> {
    const { run } = entry;
    const runLog = log.child({ runId: run.id, recipe: run.recipe, mode: run.mode });
    const policy = await applyEnrolment(run);
    const release = await locks.acquire(run.recipe, entry.cancelled);
    if (!release) return run;
    try {
      await disk.ensureRoomForRun();
      run.state = "running";
      run.startedAt = new Date().toISOString();
      notify(run);
      const ctx: RunContext = {
        run,
        settings,
        log: runLog,
        docker,
        deployer: createDeployer(settings, docker),
        redactor: new Redactor(),
        policy,
        journal: RunJournal.open(settings.CCCI_STATE_DIR, run.id),
        signal: entry.abort.signal,
        notify: () => notify(run),
        runDir: join(settings.CCCI_STATE_DIR, "runs", run.id),
      };
      mkdirSync(ctx.runDir, { recursive: true });
      await runLifecycle(ctx);
      await ctx.journal.append({ type: "state", state: run.state });
    } catch (error) {
      run.state = "errored";
      if (error instanceof CcciError) {
        run.errorCode = error.code;
        run.reason = error.message;
      } else {
        runLog.error({ err: error }, "run crashed outside its lifecycle");
        run.reason = `internal error: ${(error as Error).message}`;
      }
      await RunJournal.open(settings.CCCI_STATE_DIR, run.id)
        .append({ type: "state", state: run.state })
        .catch(() => undefined);
    } finally {
      release();
      run.finishedAt = new Date().toISOString();
      run.durationMs = Date.parse(run.finishedAt) - Date.parse(run.startedAt ?? run.queuedAt);
      runLog.info({ state: run.state, reason: run.reason, durationMs: run.durationMs }, "run finished");
      notify(run);
      forgetOldFinished();
    }
    return run;
  }

  /** Finished runs leave memory beyond the newest CCCI_RUNS_IN_MEMORY: their journals keep them on disk. */
  function forgetOldFinished(): void {
    let finished = 0;
    for (const entry of entries.values()) if (isFinished(entry.run)) finished += 1;
    for (const [id, entry] of entries) {
      if (finished <= settings.CCCI_RUNS_IN_MEMORY) break;
      if (!isFinished(entry.run)) continue;
      entries.delete(id);
      finished -= 1;
    }
  }

  function submit(request: RunRequest): RunHandle {
    const run: Run = {
      id: newRunId(),
      repo: request.repo,
      ref: request.ref,
      sha: null,
      recipe: request.recipe ?? recipeNameOf(request.source),
      mode: request.mode,
      state: "queued",
      steps: [],
      tiers: [],
      asserts: [],
      notes: [],
      queuedAt: new Date().toISOString(),
      request,
    };
    const abort = new AbortController();
    let cancel = () => {};
    const cancelled = new Promise<void>((resolve) => {
      cancel = resolve;
    });
    const entry: Entry = { run, abort, cancelled, cancel, done: Promise.resolve(run) };
    entries.set(run.id, entry);
    entry.done = execute(entry).then(snapshot);
    notify(run);
    return { run: snapshot(run), done: entry.done };
  }

  function cancel(runId: string, reason: string): boolean {
    const entry = entries.get(runId);
    if (!entry || isFinished(entry.run)) return false;
    if (entry.run.state === "queued") {
      entry.run.state = "cancelled";
      entry.run.reason = reason;
      entry.run.finishedAt = new Date().toISOString();
      entry.cancel();
      notify(entry.run);
    }
    entry.abort.abort(reason);
    return true;
  }

  const queued = () => [...entries.values()].filter((e) => e.run.state === "queued").map((e) => e.run);

  return {
    submit,
    cancel,
    warm,
    disk,
    get: (runId) => {
      const entry = entries.get(runId);
      return entry ? snapshot(entry.run) : undefined;
    },
    addNote: (runId, note) => {
      const entry = entries.get(runId);
      if (!entry || isFinished(entry.run)) return false;
      entry.run.notes.push(note);
      notify(entry.run);
      return true;
    },
    list: () => [...entries.values()].map((e) => snapshot(e.run)).reverse(),
    queuePosition: (runId) => {
      const index = queued().findIndex((run) => run.id === runId);
      return index < 0 ? undefined : index + 1;
    },
    onUpdate: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    recover: async () => {
      return recoverInterruptedRuns(
        docker,
        settings.CCCI_STATE_DIR,
        log,
        (runId) => entries.has(runId),
        async (recipe: string) => {
          const store = await warm.store(recipe);
          if (await store.current()) await store.restore();
        },
      );
    },
    recordOrigin: async (runId, origin) => {
      const entry = entries.get(runId);
      if (!entry) return;
      entry.run.request.origin = { ...entry.run.request.origin, ...origin };
      await RunJournal.open(settings.CCCI_STATE_DIR, runId).append({ type: "origin", origin });
    },
    shutdown: async () => {
      for (const entry of entries.values())
        if (!isFinished(entry.run)) cancel(entry.run.id, "ccci is shutting down");
      await Promise.all([...entries.values()].map((e) => e.done));
    },
  };
}
