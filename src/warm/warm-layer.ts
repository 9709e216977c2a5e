import { Mutex } from "async-mutex";
import type { Settings } from "../config.js";
import type { Logger } from "../log.js";
import { stackName, warmDomain } from "../recipe/naming.js";
import { defaultEnrolmentPath, type EnrolledRecipe, loadEnrolment, warmEnrolment } from "./enrolment.js";
import { type Canonical, CanonicalRegistry, defaultRegistryPath } from "./registry.js";
import { SnapshotStore } from "./snapshot-store.js";

/** A recipe's canonical with everything a quick run needs; absent pieces mean "fall back". */
export interface WarmCanonical {
  recipe: string;
  enrolled: EnrolledRecipe;
  canonical: Canonical;
  domain: string;
  stack: string;
  store: SnapshotStore;
}

/**
 * The warm side of ccci for one process: the enrolment, the canonical registry and one snapshot store
 * per recipe (opened once, repaired on open). Callers hold the recipe's app lock around any change.
 */
export class WarmLayer {
  readonly registry: CanonicalRegistry;
  private readonly stores = new Map<string, SnapshotStore>();
  private readonly opening = new Mutex();

  constructor(
    private readonly settings: Settings,
    private readonly log: Logger,
  ) {
    this.registry = new CanonicalRegistry(defaultRegistryPath(settings.CCCI_STATE_DIR), settings.CCCI_DOMAIN);
  }

  enrolmentPath(): string {
    return this.settings.CCCI_RECIPES ?? defaultEnrolmentPath(this.settings.CCCI_STATE_DIR);
  }

  enrolment() {
    return loadEnrolment(this.enrolmentPath());
  }

  domainOf(recipe: string): string {
    return warmDomain(recipe, this.settings.CCCI_DOMAIN);
  }

  /** The snapshot store of a recipe's canonical, opened (and repaired) on first use. */
  store(recipe: string): Promise<SnapshotStore> {
    return this.opening.runExclusive(async () => {
      const known = this.stores.get(recipe);
      if (known) return known;
      const { store, report } = await SnapshotStore.open({
        stateDir: this.settings.CCCI_STATE_DIR,
        recipe,
        stack: stackName(this.domainOf(recipe)),
        dockerBin: this.settings.CCCI_DOCKER_BIN,
        log: this.log,
      });
      if (report.problems.length > 0)
        this.log.warn({ recipe, problems: report.problems }, "snapshot store repaired on open");
      this.stores.set(recipe, store);
      return store;
    });
  }

  /** The canonical of an enrolled recipe that has a known-good and a snapshot, else why not. */
  async canonical(recipe: string): Promise<WarmCanonical | { missing: string }> {
    const enrolled = warmEnrolment(await this.enrolment(), recipe);
    if (!enrolled) return { missing: `${recipe} is not enrolled for quick runs (${this.enrolmentPath()})` };
    const canonical = await this.registry.get(recipe);
    if (!canonical) return { missing: `no canonical for ${recipe} yet` };
    const store = await this.store(recipe);
    if (!(await store.current())) return { missing: `the canonical of ${recipe} has no snapshot` };
    const domain = this.domainOf(recipe);
    return { recipe, enrolled, canonical, domain, stack: stackName(domain), store };
  }

  /** The known-good commit (a cold run's upgrade base), when the recipe has a canonical. */
  async knownGoodCommit(recipe: string): Promise<string | undefined> {
    return (await this.registry.get(recipe).catch(() => undefined))?.knownGood.commit;
  }
}
