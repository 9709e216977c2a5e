import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";

/** One version of a recipe: its files (path → content; executables end up mode 0755 when `exec`). */
export interface RecipeVersion {
  files: Record<string, string>;
  executables?: string[];
  tag?: string;
}

/** Builds a recipe git repository commit by commit, tagging releases as Co-op Cloud does. Returns the head SHA too. */
export async function versionedRecipe(
  name: string,
  versions: RecipeVersion[],
): Promise<{ dir: string; head: string }> {
  const dir = join(mkdtempSync(join(tmpdir(), "ccci-recipe-")), name);
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) =>
    execa("git", ["-c", "user.email=ci@example.org", "-c", "user.name=ci", ...args], { cwd: dir });
  await git("init", "-q", "-b", "main");
  for (const version of versions) {
    for (const [path, content] of Object.entries(version.files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
      if (version.executables?.includes(path)) chmodSync(join(dir, path), 0o755);
    }
    await git("add", "-A");
    await git("commit", "-qm", version.tag ?? "change");
    if (version.tag) await git("tag", version.tag);
  }
  const { stdout } = await git("rev-parse", "HEAD");
  return { dir, head: stdout.trim() };
}

/** A compose file for the busybox image whose app runs `script` (a shell script) and serves /data/www. */
export function busyboxCompose(
  script: string,
  options: { extraDeploy?: string; healthcheck?: string } = {},
): string {
  // `$` is compose interpolation: the script gets `$$` so the shell sees a literal dollar.
  const indented = script
    .trim()
    .replaceAll("$", "$$$$")
    .split("\n")
    .map((l) => `        ${l}`)
    .join("\n");
  return `---
version: "3.8"
services:
  app:
    image: ccci/busybox:local
    command:
      - sh
      - -c
      - |
${indented}
    networks: [proxy]
    volumes: [data:/data]
    stop_grace_period: 1s
    healthcheck:
      test: ${options.healthcheck ?? '["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]'}
      interval: 1s
      timeout: 2s
      retries: 3
      start_period: 3s
    deploy:
${options.extraDeploy ?? ""}      labels:
        - "traefik.enable=true"
        - "traefik.http.services.\${STACK_NAME}.loadbalancer.server.port=8080"
        - "coop-cloud.\${STACK_NAME}.version=0.1.0+1.0.0"
        - "coop-cloud.\${STACK_NAME}.timeout=\${TIMEOUT:-40}"
volumes:
  data:
networks:
  proxy:
    external: true
`;
}
