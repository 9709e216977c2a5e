import type { Probot } from "probot";
import { z } from "zod";
import type { AppIdentity } from "./octokit-forge.js";

const appSchema = z.object({ id: z.number(), slug: z.string().min(1) });

/**
 * The app's identity for recognising its own comments: the configured id, and the slug from `GET /app`
 * (app-authenticated), asked once and only when a comment does not name the app that wrote it.
 */
export function appIdentity(app: Probot, appId: number | undefined): AppIdentity {
  let slug: Promise<string | undefined> | undefined;
  return {
    ...(appId !== undefined ? { appId } : {}),
    slug() {
      slug ??= app
        .auth()
        .then((octokit) => octokit.request("GET /app"))
        .then(
          ({ data }: { data: unknown }) => appSchema.parse(data).slug,
          (error: unknown) => {
            app.log.warn({ err: error }, "could not read the app's slug (GET /app); retried next time");
            slug = undefined;
            return undefined;
          },
        );
      return slug as Promise<string | undefined>;
    },
  };
}
