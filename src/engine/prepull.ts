import type { RecipeInfo } from "../recipe/plan.js";
import type { RunContext } from "./context.js";

/**
 * Pulls the images the app needs that this host does not have yet, before the deploy: a pull inside the
 * convergence window eats the recipe's timeout (a lesson of cc-ci). A failed pull is only logged — the
 * deploy then reports what is really missing.
 */
export async function prepullImages(ctx: RunContext, info: RecipeInfo): Promise<string[]> {
  const images = [...new Set([...info.compose.services.values()].flatMap((s) => (s.image ? [s.image] : [])))];
  const pulled: string[] = [];
  for (const image of images) {
    if (ctx.signal.aborted) break;
    if ((await ctx.docker.run(["image", "inspect", "--format", "{{.Id}}", image])).exitCode === 0) continue;
    const pull = await ctx.docker.run(["pull", "--quiet", image], { signal: ctx.signal, timeoutMs: 600_000 });
    if (pull.exitCode === 0) pulled.push(image);
    else
      ctx.log.warn(
        { image, error: pull.stderr.trim() },
        "could not pre-pull an image; the deploy will try again",
      );
  }
  return pulled;
}
