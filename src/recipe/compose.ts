import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import { UserError } from "../errors.js";
import { interpolate } from "./interpolate.js";

export interface ComposeService {
  name: string;
  /** deploy.labels after interpolation, merged across overlays. */
  labels: Record<string, string>;
  image?: string;
  hasHealthcheck: boolean;
  /** The names the service's `environment:` sets (list or map form, merge keys resolved), across overlays. */
  environmentKeys: string[];
}

/** A top-level `secrets:` or `configs:` entry, merged across overlays. */
export interface ObjectDef {
  /** The key under `secrets:`/`configs:` (what services mount). */
  key: string;
  /** `name:` as written (before interpolation): tells which env variable holds its version. */
  rawName?: string;
  /** `name:` interpolated: the Docker name. */
  name?: string;
  external: boolean;
  file?: string;
}

export interface ComposeModel {
  services: Map<string, ComposeService>;
  volumes: string[];
  secrets: string[];
  configs: string[];
  /** Docker names of secrets and configs given by `name:` (interpolated), for the 64-character check. */
  objectNames: { kind: "secret" | "config"; name: string }[];
  /** Every top-level secret of every enabled overlay, in the order they first appear. */
  secretDefs: ObjectDef[];
  configDefs: ObjectDef[];
}

/** `COMPOSE_FILE="compose.yml:compose.x.yml"` → the files, checked to exist and to stay in the recipe. */
export function composeFilesOf(env: Record<string, string>, recipeDir: string): string[] {
  const files = (env.COMPOSE_FILE ?? "compose.yml").split(":").filter((f) => f.length > 0);
  for (const file of files) {
    if (file.startsWith("/") || file.split("/").includes("..")) {
      throw new UserError(
        "RECIPE_INVALID",
        `COMPOSE_FILE entry ${JSON.stringify(file)} must stay inside the recipe`,
      );
    }
    if (!existsSync(join(recipeDir, file))) {
      throw new UserError(
        "RECIPE_INVALID",
        `compose file ${file} (from COMPOSE_FILE) does not exist in the recipe`,
      );
    }
  }
  return files;
}

function labelsOf(raw: unknown): Record<string, string> {
  if (Array.isArray(raw)) {
    return Object.fromEntries(
      raw.map((entry) => {
        const text = String(entry);
        const eq = text.indexOf("=");
        return eq < 0 ? [text, ""] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  if (raw && typeof raw === "object") {
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === null ? "" : String(v)]));
  }
  return {};
}

function parseComposeFile(path: string, file: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  // `merge: true`: YAML merge keys (`<<: *anchor`), which docker's yaml.v2 reader resolves too.
  const doc = parseDocument(readFileSync(path, "utf8"), { lineCounter, uniqueKeys: true, merge: true });
  const problem = doc.errors[0];
  if (problem) {
    const pos = lineCounter.linePos(problem.pos[0]);
    throw new UserError(
      "RECIPE_INVALID",
      `${file} does not parse (line ${pos.line}, column ${pos.col}): ${problem.message.split("\n")[0]}`,
    );
  }
  if (!isMap(doc.contents)) throw new UserError("RECIPE_INVALID", `${file} is not a YAML mapping`);
  const data = doc.toJS() as Record<string, unknown>;
  if (!data.services || typeof data.services !== "object") {
    throw new UserError("RECIPE_INVALID", `${file} has no services`);
  }
  return data;
}

function mergeService(
  model: ComposeModel,
  name: string,
  raw: Record<string, unknown>,
  env: Record<string, string>,
) {
  const deploy = (raw.deploy ?? {}) as Record<string, unknown>;
  const labels = Object.fromEntries(
    // docker interpolates values, not mapping keys: a list entry `k=${X}` is one value, but in the
    // mapping form `coop-cloud.${STACK_NAME}.timeout: 60` the key stays literal (for abra too).
    Object.entries(labelsOf(deploy.labels)).map(([k, v]) => [
      Array.isArray(deploy.labels) ? interpolate(k, env) : k,
      interpolate(v, env),
    ]),
  );
  const existing = model.services.get(name);
  model.services.set(name, {
    name,
    environmentKeys: [
      ...new Set([...(existing?.environmentKeys ?? []), ...environmentKeysOf(raw.environment)]),
    ],
    labels: { ...existing?.labels, ...labels },
    image: typeof raw.image === "string" ? interpolate(raw.image, env) : existing?.image,
    hasHealthcheck:
      existing?.hasHealthcheck === true ||
      Boolean(raw.healthcheck && !(raw.healthcheck as Record<string, unknown>).disable),
  });
}

/** `environment:` as a list (`KEY=v`, `KEY`) or a map: the names it sets. */
function environmentKeysOf(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map((entry) => String(entry).split("=")[0]!.trim());
  if (raw && typeof raw === "object") return Object.keys(raw);
  return [];
}

function mergeObjectDefs(
  defs: ObjectDef[],
  section: unknown,
  env: Record<string, string>,
  file: string,
): void {
  for (const [key, value] of Object.entries((section ?? {}) as Record<string, unknown>)) {
    const raw = (value ?? {}) as { name?: unknown; external?: unknown; file?: unknown };
    const rawName = typeof raw.name === "string" ? raw.name : undefined;
    const def: ObjectDef = {
      key,
      rawName,
      name: rawName === undefined ? undefined : interpolateOrExplain(rawName, env, file),
      external: raw.external === true || (typeof raw.external === "object" && raw.external !== null),
      file: typeof raw.file === "string" ? raw.file : undefined,
    };
    const at = defs.findIndex((d) => d.key === key);
    if (at < 0) defs.push(def);
    else
      defs[at] = {
        ...defs[at]!,
        ...Object.fromEntries(Object.entries(def).filter(([, v]) => v !== undefined)),
      };
  }
}

function interpolateOrExplain(text: string, env: Record<string, string>, file: string): string {
  try {
    return interpolate(text, env);
  } catch (error) {
    throw new UserError("RECIPE_INVALID", `${file}: ${(error as Error).message}`);
  }
}

/** Reads the recipe's compose files the way `docker stack deploy -c a -c b` merges them. */
export function loadCompose(recipeDir: string, files: string[], env: Record<string, string>): ComposeModel {
  const model: ComposeModel = {
    services: new Map(),
    volumes: [],
    secrets: [],
    configs: [],
    objectNames: [],
    secretDefs: [],
    configDefs: [],
  };
  const addKeys = (list: string[], section: unknown) => {
    for (const key of Object.keys((section as Record<string, unknown>) ?? {}))
      if (!list.includes(key)) list.push(key);
  };
  for (const file of files) {
    const data = parseComposeFile(join(recipeDir, file), file);
    try {
      for (const [name, raw] of Object.entries(data.services as Record<string, unknown>)) {
        mergeService(model, name, (raw ?? {}) as Record<string, unknown>, env);
      }
    } catch (error) {
      throw new UserError("RECIPE_INVALID", `${file}: ${(error as Error).message}`);
    }
    addKeys(model.volumes, data.volumes);
    addKeys(model.secrets, data.secrets);
    addKeys(model.configs, data.configs);
    mergeObjectDefs(model.secretDefs, data.secrets, env, file);
    mergeObjectDefs(model.configDefs, data.configs, env, file);
    for (const kind of ["secret", "config"] as const) {
      for (const raw of Object.values(
        (data[`${kind}s`] ?? {}) as Record<string, { name?: unknown } | null>,
      )) {
        if (typeof raw?.name !== "string") continue;
        const name = interpolateOrExplain(raw.name, env, file);
        if (!model.objectNames.some((o) => o.kind === kind && o.name === name))
          model.objectNames.push({ kind, name });
      }
    }
  }
  return model;
}
