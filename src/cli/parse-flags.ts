import { type ParseArgsConfig, parseArgs } from "node:util";
import { UserError } from "../errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * `parseArgs` with `-h/--help` and errors that carry the command's usage: a bad flag is a usage error
 * (exit 2). Returns null when help was asked for, after printing the usage.
 */
export function parseFlags<O extends Options>(argv: string[], options: O, usage: string) {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...options, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    throw new UserError("USAGE", `${(error as Error).message}\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return null;
  }
  return parsed as unknown as {
    values: { [K in keyof O]: O[K] extends { type: "boolean" } ? boolean : string | undefined };
    positionals: string[];
  };
}
