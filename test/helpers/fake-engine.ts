import type { EngineApi, RunHandle } from "../../src/engine/api.js";
import { isFinished, type Run, type RunRequest } from "../../src/engine/run.js";

/**
 * An in-memory EngineApi that records submits and cancels and lets a test drive each run's life
 * (`start`, `finish`, `update`). Listeners get a fresh snapshot after every change, like the real engine.
 */
export class FakeEngine implements EngineApi {
  readonly submitted: RunRequest[] = [];
  readonly cancelled: { runId: string; reason: string }[] = [];
  private readonly runs = new Map<string, Run>();
  private readonly listeners = new Set<(run: Run) => void>();
  private readonly settle = new Map<string, (run: Run) => void>();
  private counter = 0;

  submit(request: RunRequest): RunHandle {
    this.submitted.push(request);
    this.counter += 1;
    const run: Run = {
      id: `run-${this.counter}`,
      repo: request.repo,
      ...(request.ref ? { ref: request.ref } : {}),
      sha: request.ref ?? null,
      recipe: request.recipe ?? "recipe",
      mode: request.mode,
      state: "queued",
      steps: [],
      tiers: [],
      asserts: [],
      queuedAt: new Date().toISOString(),
      notes: [],
      request,
    };
    this.runs.set(run.id, run);
    const done = new Promise<Run>((resolve) => this.settle.set(run.id, resolve));
    this.emit(run);
    return { run: structuredClone(run), done };
  }

  cancel(runId: string, reason: string): boolean {
    const run = this.runs.get(runId);
    if (!run || isFinished(run)) return false;
    this.cancelled.push({ runId, reason });
    this.update(runId, { state: "cancelled", reason, finishedAt: new Date().toISOString() });
    return true;
  }

  get(runId: string): Run | undefined {
    const run = this.runs.get(runId);
    return run && structuredClone(run);
  }

  addNote(runId: string, note: string): boolean {
    const run = this.runs.get(runId);
    if (!run || isFinished(run)) return false;
    this.update(runId, { notes: [...run.notes, note] });
    return true;
  }

  list(): Run[] {
    return [...this.runs.values()].reverse().map((run) => structuredClone(run));
  }

  queuePosition(runId: string): number | undefined {
    const queued = [...this.runs.values()].filter((run) => run.state === "queued");
    const index = queued.findIndex((run) => run.id === runId);
    return index < 0 ? undefined : index + 1;
  }

  onUpdate(listener: (run: Run) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a change to a run and tells the listeners, as the engine does after every step. */
  update(runId: string, patch: Partial<Run>): Run {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`unknown run ${runId}`);
    Object.assign(run, patch);
    this.emit(run);
    if (isFinished(run)) this.settle.get(runId)?.(structuredClone(run));
    return structuredClone(run);
  }

  start(runId: string): Run {
    return this.update(runId, { state: "running", startedAt: new Date().toISOString() });
  }

  finish(runId: string, state: "passed" | "failed" | "errored", patch: Partial<Run> = {}): Run {
    return this.update(runId, { state, finishedAt: new Date().toISOString(), durationMs: 4200, ...patch });
  }

  private emit(run: Run): void {
    for (const listener of this.listeners) listener(structuredClone(run));
  }
}
