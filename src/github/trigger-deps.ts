import type { EngineApi } from "../engine/api.js";
import type { BackgroundTasks } from "./background.js";
import type { ForgeFactory } from "./forge.js";
import type { Reporter } from "./reporter.js";

/** What every trigger needs: the engine to submit to, GitHub, the reporter, and the after-ack queue. */
export interface TriggerDeps {
  engine: EngineApi;
  forgeFor: ForgeFactory;
  reporter: Reporter;
  tasks: BackgroundTasks;
}
