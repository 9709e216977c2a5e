import type { EngineApi } from "../engine/api.js";
import type { BackgroundTasks } from "./background.js";
import type { DeniedCache } from "./denied-cache.js";
import type { ForgeFactory } from "./forge.js";
import type { ReplyLimiter } from "./reply-limiter.js";
import type { Reporter } from "./reporter.js";

/** What every trigger needs: the engine to submit to, GitHub, the reporter, the after-ack queue, the refusal limit. */
export interface TriggerDeps {
  engine: EngineApi;
  forgeFor: ForgeFactory;
  reporter: Reporter;
  tasks: BackgroundTasks;
  /** Refusals at most once per user, pull request and window. */
  replies: ReplyLimiter;
  /** Commenters recently found without write permission. */
  denied: DeniedCache;
}
