import { createRequire } from "node:module";

/**
 * Checks requests against GitHub's published REST description (`@octokit/openapi`): the method and path
 * template exist, path and query parameters fit, and the JSON body has every required field, known field
 * names, valid enum values, types, formats and lengths. Returns problems; an empty list means valid.
 */
type Schema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
  maxLength?: number;
  maxItems?: number;
  format?: string;
};
type Parameter = { $ref?: string; name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
};
type Description = { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

export interface OutgoingRequest {
  method: string;
  url: string;
  body?: unknown;
}

let description: Description | undefined;
let routes: { template: string; pattern: RegExp; literals: number }[] | undefined;

function loadDescription(): Description {
  // The non-dereferenced file is 13 MB instead of 73 MB; `$ref`s are resolved on demand below.
  description ??= createRequire(import.meta.url)(
    "@octokit/openapi/generated/api.github.com.json",
  ) as Description;
  return description;
}

function compiledRoutes() {
  routes ??= Object.keys(loadDescription().paths).map((template) => ({
    template,
    pattern: new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "([^/]+)")}$`,
    ),
    literals: template.split("/").filter((segment) => segment && !segment.startsWith("{")).length,
  }));
  return routes;
}

function resolve<T extends { $ref?: string }>(node: T): T {
  let current: T = node;
  while (current.$ref) {
    const path = current.$ref.replace(/^#\//, "").split("/");
    current = path.reduce<unknown>(
      (acc, key) => (acc as Record<string, unknown>)[key],
      loadDescription(),
    ) as T;
  }
  return current;
}

/** The path template for a method and path, preferring the most literal match (`/issues/comments/…`). */
export function findRoute(
  method: string,
  path: string,
): { template: string; operation: Operation } | undefined {
  const candidates = compiledRoutes()
    .filter(
      (route) => route.pattern.test(path) && loadDescription().paths[route.template]?.[method.toLowerCase()],
    )
    .sort((a, b) => b.literals - a.literals);
  const best = candidates[0];
  if (!best) return undefined;
  return {
    template: best.template,
    operation: loadDescription().paths[best.template]?.[method.toLowerCase()] as Operation,
  };
}

function typeOk(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

function knownProperties(schema: Schema): Set<string> | null {
  const s = resolve(schema);
  if (s.additionalProperties === true || typeof s.additionalProperties === "object") return null;
  const names = new Set(Object.keys(s.properties ?? {}));
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) {
    for (const name of Object.keys(resolve(branch).properties ?? {})) names.add(name);
  }
  return s.properties || s.anyOf || s.oneOf || s.allOf ? names : null;
}

function validateObject(s: Schema, value: Record<string, unknown>, at: string): string[] {
  const problems: string[] = [];
  for (const name of s.required ?? [])
    if (!(name in value)) problems.push(`${at}: required field "${name}" missing`);
  const known = knownProperties(s);
  for (const [name, child] of Object.entries(value)) {
    if (known && !known.has(name)) problems.push(`${at}: unknown field "${name}"`);
    const childSchema = s.properties?.[name];
    if (childSchema) problems.push(...validateValue(childSchema, child, `${at}.${name}`));
  }
  return problems;
}

export function validateValue(schema: Schema, value: unknown, at = "body"): string[] {
  const s = resolve(schema);
  if (value === null) return s.nullable ? [] : [`${at}: null is not allowed`];
  for (const branch of s.allOf ?? []) {
    const problems = validateValue(branch, value, at);
    if (problems.length > 0) return problems;
  }
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives && !alternatives.some((branch) => validateValue(branch, value, at).length === 0)) {
    return [`${at}: matches none of the allowed shapes`];
  }
  if (!typeOk(s.type, value))
    return [`${at}: expected ${s.type}, got ${JSON.stringify(value)?.slice(0, 60)}`];
  if (s.enum && !s.enum.includes(value))
    return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`];
  if (typeof value === "string") {
    if (s.maxLength !== undefined && value.length > s.maxLength) return [`${at}: longer than ${s.maxLength}`];
    if (s.format === "date-time" && Number.isNaN(Date.parse(value))) return [`${at}: not a date-time`];
    return [];
  }
  if (Array.isArray(value)) {
    if (s.maxItems !== undefined && value.length > s.maxItems)
      return [`${at}: more than ${s.maxItems} items`];
    return value.flatMap((item, i) => (s.items ? validateValue(s.items, item, `${at}[${i}]`) : []));
  }
  if (typeof value === "object") return validateObject(s, value as Record<string, unknown>, at);
  return [];
}

function validateParameter(parameter: Parameter, raw: string): string[] {
  const schema = parameter.schema ? resolve(parameter.schema) : {};
  const where = `${parameter.in} parameter "${parameter.name}"`;
  if (schema.type === "integer" && !/^-?\d+$/.test(raw))
    return [`${where}: expected an integer, got "${raw}"`];
  if (schema.enum && !schema.enum.includes(raw))
    return [`${where}: "${raw}" is not one of ${JSON.stringify(schema.enum)}`];
  return [];
}

/** Every way `request` departs from GitHub's REST description. `basePath` strips e.g. GHE's `/api/v3`. */
export function validateRequest(request: OutgoingRequest, basePath = ""): string[] {
  const url = new URL(request.url, "https://api.github.com");
  const path = decodeURIComponent(url.pathname.slice(basePath.length)) || "/";
  const label = `${request.method.toUpperCase()} ${path}`;
  const route = findRoute(request.method, path);
  if (!route) return [`${label}: no such operation in GitHub's REST description`];
  const parameters = (route.operation.parameters ?? []).map(resolve);
  const problems: string[] = [];
  const values =
    path.match(compiledRoutes().find((r) => r.template === route.template)?.pattern as RegExp) ?? [];
  const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  names.forEach((name, i) => {
    const parameter = parameters.find((p) => p.in === "path" && p.name === name);
    if (parameter) problems.push(...validateParameter(parameter, values[i + 1] ?? ""));
  });
  for (const [name, raw] of url.searchParams) {
    const parameter = parameters.find((p) => p.in === "query" && p.name === name);
    problems.push(...(parameter ? validateParameter(parameter, raw) : [`unknown query parameter "${name}"`]));
  }
  const bodySchema = route.operation.requestBody?.content?.["application/json"]?.schema;
  if (request.body === undefined) {
    if (route.operation.requestBody?.required) problems.push("request body missing");
  } else if (bodySchema) {
    problems.push(...validateValue(bodySchema, request.body));
  }
  return problems.map((problem) => `${label} (${route.template}): ${problem}`);
}
