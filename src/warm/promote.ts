import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { undeployStack } from "../deploy/swarm-remove.js";
import { checkHealth } from "../engine/asserts/health.js";
import { deployContext, type RunContext, step } from "../engine/context.js";
import { waitForConvergence } from "../engine/converge.js";
import { describeError } from "../errors.js";
import { exec } from "../exec.js";
import { fetchRecipe } from "../recipe/fetch.js";
import { planApp } from "../recipe/plan.js";
import type { EnrolledRecipe } from "./enrolment.js";
import type { SnapshotStore } from "./snapshot-store.js";
import type { WarmLayer } from "./warm-layer.js";

const git = async (dir: string, args: string[]) => {
  const result = await exec("git", args, { cwd: dir });
  return result.exitCode === 0 ? result.stdout.trim() : "";
};

/** Only the default-branch head or the latest release tag of the enrolled repository may be promoted. */
async function promotableRef(
  dir: string,
  commit: string,
  enrolled: EnrolledRecipe,
): Promise<{ ref: string; version: string | null } | string> {
  if ((await git(dir, ["rev-parse", `refs/remotes/origin/${enrolled.branch}^{commit}`])) === commit)
    return { ref: enrolled.branch, version: null };
  const latest = (await git(dir, ["tag", "--sort=-v:refname"]))
    .split("\n")
    .find((t) => /^v?\d+(\.\d+)*([+-].*)?$/.test(t));
  if (latest && (await git(dir, ["rev-parse", `refs/tags/${latest}^{commit}`])) === commit)
    return { ref: latest, version: latest };
  return `${commit.slice(0, 12)} is neither the head of ${enrolled.branch} nor the latest release of ${enrolled.repo}`;
}

/**
 * Fresh deploy at the warm domain → converged and healthy → undeploy. Throws with what went wrong.
 * The app's volumes are staged in the snapshot store first, so its first boot writes straight into the
 * generation the snapshot will commit.
 */
async function freshWarmDeploy(
  ctx: RunContext,
  warm: WarmLayer,
  store: SnapshotStore,
  dir: string,
  commit: string,
): Promise<void> {
  const recipe = ctx.run.recipe;
  const domain = warm.domainOf(recipe);
  const info = planApp({
    recipe,
    checkoutDir: dir,
    sha: commit,
    domain,
    server: ctx.settings.CCCI_SERVER,
    runDir: ctx.runDir,
    policy: ctx.policy,
  });
  const dctx = { ...deployContext(ctx), signal: new AbortController().signal };
  await ctx.deployer.create(info.plan, dctx);
  await store.stageFreshVolumes(info.compose.volumes);
  await ctx.deployer.deploy(info.plan, dctx);
  const timeout = (info.timeoutSeconds ?? ctx.settings.CCCI_TIMEOUT) * 1000;
  const convergence = await waitForConvergence(ctx.docker, info.plan.stack, timeout, dctx.signal, {
    settleMs: ctx.settings.CCCI_SETTLE_SECONDS * 1000,
  });
  const health = await checkHealth(ctx.docker, info.plan.stack, info.compose);
  await undeployStack(ctx.docker, info.plan.stack);
  if (!convergence.converged || !health.passed)
    throw new Error(`the fresh deploy at ${domain} did not come up: ${health.detail}`);
}

/**
 * Promotion (WC5): after a green cold run of the enrolled default-branch head or latest release, rebuild
 * the canonical at that commit — fresh deploy at the warm domain, healthy, undeploy, snapshot, registry
 * — under the app lock the run holds. A failure before the snapshot puts the previous canonical back.
 * Also the path of `ccci canonical rewarm` (known-good commit, `requireBranchHead` false).
 */
export async function promoteCanonical(
  ctx: RunContext,
  warm: WarmLayer,
  commit: string,
  options: { requirePromotable?: boolean } = {},
): Promise<string> {
  const recipe = ctx.run.recipe;
  const enrolled = (await warm.enrolment()).recipes[recipe];
  if (!enrolled?.quick) return `not promoted: ${recipe} is not enrolled for quick runs`;
  const stack = warm.domainOf(recipe).replaceAll(".", "_");
  await ctx.journal.append({ type: "promotion", recipe, stack, commit });
  await mkdir(ctx.runDir, { recursive: true });
  const dir = join(ctx.runDir, "promote");
  const fetched = await fetchRecipe({ kind: "git", url: enrolled.repo }, commit, dir);
  const promotable = await promotableRef(dir, fetched.sha!, enrolled);
  if (typeof promotable === "string" && options.requirePromotable !== false)
    return `not promoted: ${promotable}`;
  const { ref, version } = typeof promotable === "string" ? { ref: commit, version: null } : promotable;
  const store = await warm.store(recipe);
  try {
    await undeployStack(ctx.docker, stack);
    await step(ctx, "promote: fresh deploy", () => freshWarmDeploy(ctx, warm, store, dir, fetched.sha!));
    const manifest = await step(ctx, "promote: snapshot", () =>
      store.takeSnapshot({ commit: fetched.sha!, ref }),
    );
    await warm.registry.promote(recipe, { commit: fetched.sha!, ref, version, snapshotId: manifest.id });
    await ctx.journal.append({ type: "promotion-done", recipe });
    return `promoted the canonical of ${recipe} to ${fetched.sha!.slice(0, 12)} (${ref}), snapshot ${manifest.id}`;
  } catch (error) {
    await undeployStack(ctx.docker, stack).catch(() => undefined);
    const kept = (await store.current())
      ? await store.restore().then(
          () => "the previous canonical is intact",
          (e) => `restoring it failed: ${describeError(e)}`,
        )
      : "there was no previous canonical";
    await ctx.journal.append({ type: "promotion-done", recipe });
    return `promotion failed: ${describeError(error)}; ${kept}`;
  }
}
