import { isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";

/** A YAML text parsed with positions kept, so that schema problems can be pointed at a line. */
export interface YamlSource {
  name: string;
  value: unknown;
  /** 1-based line of the node at `path`, or of its nearest existing ancestor. */
  lineOf(path: readonly PropertyKey[]): number;
}

export type YamlParse = { ok: true; source: YamlSource } | { ok: false; problems: string[] };

/** Parses YAML; syntax errors come back as `<name>:<line>:<col>: <message>` lines. */
export function parseYamlSource(text: string, name: string): YamlParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const pos = lineCounter.linePos(error.pos[0]);
      const where = `${name}:${pos.line}:${pos.col}`;
      return `${where}: ${error.message.split("\n")[0]}`;
    });
    return { ok: false, problems };
  }
  const lineOf = (path: readonly PropertyKey[]): number => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
      const start = nodeStart(node, doc, path.slice(0, depth));
      if (start !== undefined) return lineCounter.linePos(start).line;
    }
    return 1;
  };
  return { ok: true, source: { name, value: doc.toJS({ maxAliasCount: 100 }), lineOf } };
}

/** A scalar points at itself; for a missing value we point at its key in the parent map. */
function nodeStart(
  node: unknown,
  doc: ReturnType<typeof parseDocument>,
  path: readonly PropertyKey[],
): number | undefined {
  if (path.length > 0) {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1) as unknown[], true);
    if (isMap(parent)) {
      const pair = parent.items.find(
        (item) => isScalar(item.key) && item.key.value === path[path.length - 1],
      );
      if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
    }
  }
  if (isNode(node) && node.range) return node.range[0];
  return undefined;
}

/** Turns zod issues into `<name>:<line>: <path>: <message>` lines. */
export function describeSchemaIssues(source: YamlSource, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const path = keys.length > 0 ? [...issue.path, keys[0] as string] : issue.path;
    const dotted = path.length > 0 ? `${path.map(String).join(".")}: ` : "";
    return `${source.name}:${source.lineOf(path)}: ${dotted}${issue.message}`;
  });
}
