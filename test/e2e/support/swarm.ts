import { execa } from "execa";

async function names(args: string[]): Promise<string[]> {
  const { stdout } = await execa("docker", args);
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * What the acceptance names: `docker stack ls`, `volume ls`, `secret ls`, `config ls`,
 * `network ls` (plus services and containers), filtered to one stack's names.
 */
export async function leftovers(stack: string): Promise<string[]> {
  const mine = (list: string[]) => list.filter((n) => n === stack || n.startsWith(`${stack}_`));
  const lists = await Promise.all([
    names(["stack", "ls", "--format", "{{.Name}}"]),
    names(["service", "ls", "--format", "{{.Name}}"]),
    names(["ps", "-a", "--format", "{{.Names}}"]),
    names(["volume", "ls", "--format", "{{.Name}}"]),
    names(["secret", "ls", "--format", "{{.Name}}"]),
    names(["config", "ls", "--format", "{{.Name}}"]),
    names(["network", "ls", "--format", "{{.Name}}"]),
  ]);
  return lists.flatMap(mine);
}
