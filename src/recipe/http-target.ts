import { UserError } from "../errors.js";
import type { ComposeModel } from "./compose.js";

const portLabel = /^traefik\.http\.services\.([^.]+)\.loadbalancer\.server\.port$/;

interface Candidate {
  service: string;
  key: string;
  value: string;
  keyedByStack: boolean;
}

/**
 * The service and port Traefik would route to: a `traefik.http.services.<x>.loadbalancer.server.port`
 * label on a service that Traefik is not told to ignore (`traefik.enable=false`). Real recipes key it
 * by `${STACK_NAME}`, some by a name of their own (`${STACK_NAME}-web`, `app`); any `<x>` counts.
 * Preference: keyed by the stack on `app`, keyed by the stack, any on `app`, the first.
 */
export function httpTarget(
  compose: ComposeModel,
  stack: string,
): { service: string; port: number } | undefined {
  const candidates: Candidate[] = [...compose.services.values()].flatMap((s) =>
    s.labels["traefik.enable"] === "false"
      ? []
      : Object.entries(s.labels).flatMap(([key, value]) => {
          const match = portLabel.exec(key);
          return match ? [{ service: s.name, key, value, keyedByStack: match[1] === stack }] : [];
        }),
  );
  const chosen =
    candidates.find((c) => c.keyedByStack && c.service === "app") ??
    candidates.find((c) => c.keyedByStack) ??
    candidates.find((c) => c.service === "app") ??
    candidates[0];
  if (!chosen) return undefined;
  const port = Number(chosen.value);
  if (!/^\d+$/.test(chosen.value) || port < 1 || port > 65535) {
    throw new UserError(
      "RECIPE_INVALID",
      `label ${chosen.key} on service ${chosen.service} is not a port (1 to 65535)`,
    );
  }
  return { service: chosen.service, port };
}
