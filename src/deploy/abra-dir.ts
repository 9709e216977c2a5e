import { mkdirSync, symlinkSync } from "node:fs";
import { cp, lstat } from "node:fs/promises";
import { join } from "node:path";

/**
 * A private ABRA_DIR for one run: `servers/` and `catalogue/` are the shared ones (symlinks), `recipes/`
 * is the run's own, holding only its checkout at the pinned commit. Concurrent runs of one recipe
 * corrupted cc-ci's shared checkout; this cannot.
 */
export async function preparePrivateAbraDir(
  sharedDir: string,
  runDir: string,
  recipe: string,
  checkoutDir: string,
): Promise<string> {
  const dir = join(runDir, "abra");
  for (const shared of ["servers", "catalogue"]) {
    mkdirSync(join(sharedDir, shared), { recursive: true });
    const link = join(dir, shared);
    mkdirSync(dir, { recursive: true });
    if (!(await lstat(link).catch(() => null))) symlinkSync(join(sharedDir, shared), link);
  }
  mkdirSync(join(dir, "recipes"), { recursive: true });
  await cp(checkoutDir, join(dir, "recipes", recipe), { recursive: true, force: true });
  return dir;
}
