import type { RecipeInfo } from "../../recipe/plan.js";
import type { RunContext } from "../context.js";
import { type Convergence, describeReplicas } from "../converge.js";
import type { AssertResult } from "../run.js";
import { describeService, expectsNoContainer } from "../service-expectations.js";
import { containerOf } from "./containers.js";
import { checkHealth } from "./health.js";
import { isRealAnswer, probeHttp } from "./http-probe.js";

export interface GenericOutcome {
  asserts: AssertResult[];
  /** Full service names whose logs belong in the report. */
  failingServices: string[];
}

const timed = async (
  name: string,
  fn: () => Promise<Omit<AssertResult, "name" | "kind" | "durationMs">>,
): Promise<AssertResult> => {
  const started = Date.now();
  const result = await fn();
  return { name, kind: "generic", durationMs: Date.now() - started, ...result };
};

/** converged (N/N), healthy (every healthcheck), http (a real answer on the routed port). */
export async function runGenericAsserts(
  ctx: RunContext,
  info: RecipeInfo,
  convergence: Convergence,
): Promise<GenericOutcome> {
  const stack = info.plan.stack;
  const converged: AssertResult = {
    name: "generic:converged",
    kind: "generic",
    passed: convergence.converged,
    durationMs: convergence.waitedMs,
    detail: convergence.converged
      ? `all services converged in ${Math.round(convergence.waitedMs / 1000)} s: ${describeReplicas(convergence.services)}`
      : `not converged after ${Math.round(convergence.waitedMs / 1000)} s: ${describeReplicas(convergence.services)}`,
  };
  // A crash loop can show N/N at the very moment the wait ends: when convergence failed, every service
  // short of its replicas is suspect, and if none is at that moment, all of them are.
  const short = convergence.services
    .filter((s) => !expectsNoContainer(s) && s.running < s.desired)
    .map((s) => s.service);
  const notConverged = convergence.converged
    ? []
    : short.length > 0
      ? short
      : convergence.services.map((s) => s.service);
  const notRunning = new Map(
    convergence.services.filter(expectsNoContainer).map((s) => [s.service, describeService(s)]),
  );
  const health = await checkHealth(ctx.docker, stack, info.compose, convergence.healthProbed, notRunning);
  const healthy = await timed("generic:healthy", async () => ({
    passed: health.passed,
    detail: health.detail,
  }));
  const http = await timed("generic:http", async () => {
    if (!info.http) {
      return {
        passed: true,
        skipped: true,
        detail: "skipped: no traefik.http.services.<stack>.loadbalancer.server.port label",
      };
    }
    const container = await containerOf(ctx.docker, stack, info.http.service);
    const probe = await probeHttp(
      ctx.docker,
      { stack, ...info.http, domain: info.plan.domain, container },
      ctx.settings.CCCI_PROBE_IMAGE,
    );
    const where = `${info.http.service}:${info.http.port} via ${probe.via}`;
    if (probe.status === undefined)
      return { passed: false, detail: `no HTTP answer from ${where}: ${probe.error ?? "unknown error"}` };
    return { passed: isRealAnswer(probe.status), detail: `HTTP ${probe.status} from ${where}` };
  });
  const failingServices = [...new Set([...notConverged, ...health.failing])];
  if (!http.passed && info.http) failingServices.push(`${stack}_${info.http.service}`);
  return { asserts: [converged, healthy, http], failingServices: [...new Set(failingServices)] };
}
