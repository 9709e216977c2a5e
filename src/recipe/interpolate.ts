/**
 * Compose-style variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?err}`, `${VAR?err}` and `$$` for a literal dollar. Used to read labels (timeout, port) the way
 * `docker stack deploy` will see them; the deploy itself leaves interpolation to docker.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_match, dollar: string, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (dollar === "$") return "$";
      const name = (braced ?? bare)!;
      const value = env[name];
      const unsetOrEmpty = value === undefined || (op?.startsWith(":") && value === "");
      if (op?.endsWith("-")) return unsetOrEmpty ? (arg ?? "") : value!;
      if (op?.endsWith("?") && unsetOrEmpty) throw new Error(`required variable ${name} is not set: ${arg}`);
      return value ?? "";
    },
  );
}
