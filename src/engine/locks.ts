import { Mutex, Semaphore } from "async-mutex";

/**
 * Two bounds on runs: one mutex per app (two runs of one recipe never overlap: they would share a
 * canonical, a warm domain, a checkout cache) and a global semaphore of MAX_TESTS deploys. The app lock
 * is taken first, so a run waiting for its app does not sit on a global slot.
 */
export class RunLocks {
  private readonly apps = new Map<string, Mutex>();
  private readonly global: Semaphore;

  constructor(maxTests: number) {
    this.global = new Semaphore(maxTests);
  }

  private appMutex(app: string): Mutex {
    let mutex = this.apps.get(app);
    if (!mutex) {
      mutex = new Mutex();
      this.apps.set(app, mutex);
    }
    return mutex;
  }

  /**
   * Resolves with a release function once both locks are held, or with null if `cancelled` settles
   * first (any lock acquired later is released at once).
   */
  async acquire(app: string, cancelled: Promise<void>): Promise<(() => void) | null> {
    const both = (async () => {
      const releaseApp = await this.appMutex(app).acquire();
      const [, releaseGlobal] = await this.global.acquire();
      return () => {
        releaseGlobal();
        releaseApp();
      };
    })();
    const winner = await Promise.race([both, cancelled.then(() => null)]);
    if (winner === null) void both.then((release) => release());
    return winner;
  }
}
