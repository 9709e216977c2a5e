import { homedir } from "node:os";
import { z } from "zod";
import { settingsSchema } from "../config.js";

/** One row of the configuration reference, read from the zod schema (the single source of truth). */
export interface SettingDoc {
  name: string;
  /** Markdown for the default, or "—" when the setting has none (unset means "off" or "required"). */
  defaultText: string;
  accepts: string;
  description: string;
}

export const GENERATED_START = "<!-- generated:settings:start -->";
export const GENERATED_END = "<!-- generated:settings:end -->";

/**
 * Defaults computed from the machine (home directory, host name) would make the committed reference
 * differ between machines; they are documented by their rule instead. A setting may also declare its
 * own with `.meta({ docDefault: "…" })`.
 */
const machineDependentDefaults: Record<string, string> = {
  CCCI_STATE_DIR: "`$XDG_STATE_HOME/ccci`, else `~/.local/state/ccci`",
  CCCI_INSTANCE_ID: "`ccci-<hostname>`",
};

type AnySchema = z.ZodType;

/** Wrappers whose inner schema carries the type; description and default may sit on any layer. */
function innerOf(schema: AnySchema): AnySchema | undefined {
  const def = schema._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema };
  if (["default", "prefault", "optional", "nullable", "readonly", "catch", "nonoptional"].includes(def.type))
    return def.innerType;
  if (def.type === "pipe") return def.in;
  return undefined;
}

function layersOf(schema: AnySchema): AnySchema[] {
  const layers: AnySchema[] = [];
  for (let s: AnySchema | undefined = schema; s; s = innerOf(s)) layers.push(s);
  return layers;
}

function metaOf(schema: AnySchema): Record<string, unknown> | undefined {
  return z.globalRegistry.get(schema) as Record<string, unknown> | undefined;
}

function defaultTextOf(name: string, layers: AnySchema[]): string {
  for (const layer of layers) {
    const declared = metaOf(layer)?.docDefault;
    if (typeof declared === "string") return declared;
  }
  const machine = machineDependentDefaults[name];
  if (machine) return machine;
  const withDefault = layers.find((l) => l._zod.def.type === "default" || l._zod.def.type === "prefault");
  if (!withDefault) return "—";
  const value = (withDefault._zod.def as unknown as { defaultValue: unknown }).defaultValue;
  const text = typeof value === "string" ? value.split(homedir()).join("~") : JSON.stringify(value);
  return `\`${text}\``;
}

/** What values parse, from zod's own JSON Schema of the input (enum, integer range, URL, text). */
function acceptsOf(schema: AnySchema): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  if (Array.isArray(json.enum)) return json.enum.map((v) => `\`${String(v)}\``).join(", ");
  if (json.type === "integer" || json.type === "number") {
    const { minimum: min, maximum: max } = json as { minimum?: number; maximum?: number };
    const kind = json.type === "integer" ? "whole number" : "number";
    if (min !== undefined && max !== undefined && max < Number.MAX_SAFE_INTEGER)
      return `${kind} ${min}–${max}`;
    if (min !== undefined) return `${kind} ≥ ${min}`;
    return kind;
  }
  if (json.type === "boolean") return "`true`, `false`";
  if (json.format === "uri") return "http(s) URL";
  return "text";
}

function descriptionOf(layers: AnySchema[]): string {
  return layers.map((l) => l.description).find((d) => d !== undefined) ?? "";
}

/** Every setting of the given object schema (default: ccci's own `settingsSchema`), in schema order. */
export function describeSettings(schema: z.ZodObject = settingsSchema): SettingDoc[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const layers = layersOf(field as AnySchema);
    return {
      name,
      defaultText: defaultTextOf(name, layers),
      accepts: acceptsOf(field as AnySchema),
      description: descriptionOf(layers),
    };
  });
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The markdown table of every setting — exactly what sits between the markers in docs/configuration.md. */
export function renderSettingsTable(schema: z.ZodObject = settingsSchema): string {
  const rows = describeSettings(schema).map(
    (s) => `| \`${s.name}\` | ${cell(s.defaultText)} | ${cell(s.accepts)} | ${cell(s.description)} |`,
  );
  return ["| Variable | Default | Accepts | What it does |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

/** The text between the generated-block markers of a document, or null when the markers are missing. */
export function generatedBlockOf(document: string): string | null {
  const start = document.indexOf(GENERATED_START);
  const end = document.indexOf(GENERATED_END);
  if (start < 0 || end < start) return null;
  return document.slice(start + GENERATED_START.length, end).trim();
}

/** The document with its generated block replaced by `table`; throws when the markers are missing. */
export function replaceGeneratedBlock(document: string, table: string): string {
  const start = document.indexOf(GENERATED_START);
  const end = document.indexOf(GENERATED_END);
  if (start < 0 || end < start) throw new Error(`markers ${GENERATED_START} … ${GENERATED_END} not found`);
  return `${document.slice(0, start + GENERATED_START.length)}\n${table}\n${document.slice(end)}`;
}
