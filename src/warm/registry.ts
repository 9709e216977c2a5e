import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Mutex } from "async-mutex";
import { stringify } from "yaml";
import { z } from "zod";
import { UserError } from "../errors.js";
import { validateRecipeName, warmDomain } from "../recipe/naming.js";
import { writeFileAtomic } from "./atomic-file.js";
import { isRecipeName } from "./enrolment.js";
import { describeSchemaIssues, parseYamlSource } from "./yaml-source.js";

/**
 * The canonical registry: a human-readable YAML file mapping each recipe to its warm canonical (stable
 * domain, known-good commit/version, snapshot id, timestamps). Written only by atomic replace; a corrupt
 * or hand-broken file is reported with its line and is never overwritten until a human fixes it.
 */

const isoTime = z.iso.datetime({ offset: true });

export const canonicalSchema = z.strictObject({
  domain: z.string().min(1),
  knownGood: z.strictObject({
    commit: z.string().regex(/^[0-9a-f]{7,64}$/, "expected a git commit hash"),
    /** A release tag such as 1.7.1+1.27.2, when the known-good is a release. */
    version: z.string().min(1).nullable().default(null),
    /** The ref that was tested: the default branch or the release tag. */
    ref: z.string().min(1),
  }),
  snapshotId: z.string().regex(/^[0-9A-Za-z-]+$/, "expected a snapshot id"),
  seededAt: isoTime,
  promotedAt: isoTime,
});

export const registrySchema = z.strictObject({
  version: z.literal(1),
  canonicals: z.record(z.string(), canonicalSchema).default({}),
});

export type Canonical = z.infer<typeof canonicalSchema>;
export type RegistryData = z.infer<typeof registrySchema>;

/** What a promotion records; `seededAt` is kept from the first promotion. */
export interface Promotion {
  commit: string;
  version?: string | null;
  ref: string;
  snapshotId: string;
  at?: Date;
}

const header =
  "# ccci canonical registry: recipe -> warm canonical. Written by ccci (atomic replace).\n" +
  "# Hand edits are allowed, but a broken file stops every write until it is fixed.\n";

export function defaultRegistryPath(stateDir: string): string {
  return join(stateDir, "canonicals.yml");
}

export class CanonicalRegistry {
  private readonly writes = new Mutex();

  constructor(
    readonly path: string,
    private readonly baseDomain: string,
  ) {}

  /** Reads and validates the whole file; a missing file is an empty registry. */
  async read(): Promise<RegistryData> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, canonicals: {} };
      throw this.invalid([`cannot read: ${(error as Error).message}`]);
    }
    const parsed = parseYamlSource(text, this.path);
    if (!parsed.ok) throw this.invalid(parsed.problems);
    const result = registrySchema.safeParse(parsed.source.value ?? {});
    if (!result.success) throw this.invalid(describeSchemaIssues(parsed.source, result.error.issues));
    const badNames = Object.keys(result.data.canonicals).filter((name) => !isRecipeName(name));
    if (badNames.length > 0) {
      throw this.invalid(
        badNames.map((n) => `${this.path}:${parsed.source.lineOf(["canonicals", n])}: bad recipe name ${n}`),
      );
    }
    return result.data;
  }

  async get(recipe: string): Promise<Canonical | undefined> {
    return (await this.read()).canonicals[validateRecipeName(recipe)];
  }

  async list(): Promise<Array<Canonical & { recipe: string }>> {
    const data = await this.read();
    return Object.entries(data.canonicals)
      .map(([recipe, canonical]) => ({ recipe, ...canonical }))
      .sort((a, b) => a.recipe.localeCompare(b.recipe));
  }

  /** Records a promotion: the recipe's known-good moves to this commit and snapshot. */
  async promote(recipe: string, promotion: Promotion): Promise<Canonical> {
    validateRecipeName(recipe);
    return this.mutate((data) => {
      const at = (promotion.at ?? new Date()).toISOString();
      const canonical: Canonical = {
        domain: warmDomain(recipe, this.baseDomain),
        knownGood: { commit: promotion.commit, version: promotion.version ?? null, ref: promotion.ref },
        snapshotId: promotion.snapshotId,
        seededAt: data.canonicals[recipe]?.seededAt ?? at,
        promotedAt: at,
      };
      canonicalSchema.parse(canonical);
      data.canonicals[recipe] = canonical;
      return canonical;
    });
  }

  /** Forgets a recipe's canonical (the snapshot store is cleaned separately). */
  async remove(recipe: string): Promise<boolean> {
    return this.mutate((data) => {
      const had = recipe in data.canonicals;
      delete data.canonicals[recipe];
      return had;
    });
  }

  /** Read (refusing a broken file) -> change -> atomic replace, one writer at a time in this process. */
  private async mutate<T>(change: (data: RegistryData) => T): Promise<T> {
    return this.writes.runExclusive(async () => {
      const data = await this.read();
      const result = change(data);
      await mkdir(dirname(this.path), { recursive: true });
      await writeFileAtomic(this.path, header + stringify(sorted(data), { lineWidth: 0 }));
      return result;
    });
  }

  private invalid(problems: string[]): UserError {
    return new UserError(
      "REGISTRY_INVALID",
      `canonical registry ${this.path} is broken; fix or remove it (ccci will not overwrite it):\n  ${problems.join("\n  ")}`,
    );
  }
}

function sorted(data: RegistryData): RegistryData {
  const canonicals = Object.fromEntries(
    Object.entries(data.canonicals).sort(([a], [b]) => a.localeCompare(b)),
  );
  return { version: 1, canonicals };
}
