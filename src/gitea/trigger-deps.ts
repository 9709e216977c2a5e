import type { EngineApi } from "../engine/api.js";
import type { Run } from "../engine/run.js";
import type { BackgroundTasks } from "../github/background.js";
import type { Forge } from "../github/forge.js";
import type { SeenComments } from "./seen-comments.js";

/** What the Gitea triggers need: one forge (one bot user), the engine, the reporter, the after-ack queue. */
export interface GiteaTriggerDeps {
  engine: EngineApi;
  forge: Forge;
  botLogin: string;
  reporter: { notify(run: Run): void };
  tasks: BackgroundTasks;
  /** Redeliveries of a comment already acted on are dropped. */
  seen: SeenComments;
}
