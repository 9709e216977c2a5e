import { loadSettings } from "../config.js";
import { createEngine, type Engine } from "../engine/engine.js";
import { UserError } from "../errors.js";
import { createLogger } from "../log.js";
import { validateRecipeName } from "../recipe/naming.js";
import { parseFlags } from "./parse-flags.js";
import { renderSummary } from "./render.js";

export const canonicalUsage = `usage:
  ccci canonical list [--json]      the canonicals: known-good commit, snapshot, timestamps
  ccci canonical seed <recipe>      cold run of the enrolled default-branch head; promotes it when green
  ccci canonical rewarm <recipe>    rebuild the canonical from its known-good commit (fresh deploy, snapshot)`;

async function list(engine: Engine, json: boolean): Promise<number> {
  const canonicals = await engine.warm.registry.list();
  if (json) {
    console.log(JSON.stringify(canonicals, null, 2));
    return 0;
  }
  if (canonicals.length === 0)
    console.log("no canonicals yet (seed one with `ccci canonical seed <recipe>`)");
  for (const c of canonicals) {
    const version = c.knownGood.version ? ` ${c.knownGood.version}` : "";
    console.log(
      `${c.recipe}  ${c.domain}  known-good ${c.knownGood.commit.slice(0, 12)} (${c.knownGood.ref}${version})  snapshot ${c.snapshotId}  promoted ${c.promotedAt}`,
    );
  }
  return 0;
}

async function seedOrRewarm(engine: Engine, recipe: string, rewarm: boolean): Promise<number> {
  validateRecipeName(recipe);
  const enrolled = (await engine.warm.enrolment()).recipes[recipe];
  if (!enrolled) throw new UserError("USAGE", `${recipe} is not enrolled in ${engine.warm.enrolmentPath()}`);
  const handle = engine.submit({
    repo: enrolled.repo,
    source: { kind: "git", url: enrolled.repo },
    ref: enrolled.branch,
    recipe,
    mode: "cold",
    requestedBy: "cli",
    promote: !rewarm,
    rewarm,
  });
  console.log(`ccci: ${rewarm ? "rewarming" : "seeding"} the canonical of ${recipe} from ${enrolled.repo}`);
  const run = await handle.done;
  console.log(renderSummary(run));
  const promoted = run.notes.some((n) => /^(promoted|rewarmed)/.test(n));
  return run.state === "passed" && promoted ? 0 : 1;
}

/** `ccci canonical list|seed|rewarm`. */
export async function canonicalCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, { json: { type: "boolean", default: false } }, canonicalUsage);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, recipe, ...extra] = positionals;
  const known =
    action === "list"
      ? recipe === undefined
      : (action === "seed" || action === "rewarm") && recipe !== undefined;
  if (!known || extra.length > 0) throw new UserError("USAGE", canonicalUsage);
  const engine = createEngine({
    settings: loadSettings(),
    log: createLogger(process.env.LOG_LEVEL ?? "warn"),
  });
  if (action === "list") return list(engine, values.json);
  return seedOrRewarm(engine, recipe!, action === "rewarm");
}
