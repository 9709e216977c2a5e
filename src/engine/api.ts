import type { Run, RunRequest } from "./run.js";

/** What the triggers (CLI, GitHub app, sweep) may ask of the engine. */
export interface RunHandle {
  run: Run;
  /** Settles when the run is finished (teardown done), whatever its verdict. Never rejects. */
  done: Promise<Run>;
}

export interface EngineApi {
  /** Queues a run; returns at once. The run advances under its app's lock and the MAX_TESTS bound. */
  submit(request: RunRequest): RunHandle;
  /** Cancels a queued or running run; a running one still tears down. False if unknown or finished. */
  cancel(runId: string, reason: string): boolean;
  get(runId: string): Run | undefined;
  /** Adds a note to an unfinished run's report (e.g. a request merged into it). False if unknown or finished. */
  addNote(runId: string, note: string): boolean;
  /** The runs this process keeps in memory (unfinished ones and the newest finished ones), newest first. */
  list(): Run[];
  /** 1-based position among runs waiting for a slot, or undefined when not queued. */
  queuePosition(runId: string): number | undefined;
  /** Called with a snapshot after every change of a run (state, step, assert). Returns an unsubscribe. */
  onUpdate(listener: (run: Run) => void): () => void;
}
