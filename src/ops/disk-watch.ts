import { describeError } from "../errors.js";
import type { Logger } from "../log.js";
import type { DiskGuard, DiskReport } from "./disk-guard.js";

/**
 * Checks the disks every `everySeconds` between runs (pruning below the soft threshold), so a host that
 * fills up while idle is cleaned before the next run asks. Returns a stop function; 0 turns it off.
 */
export function watchDisk(
  guard: DiskGuard,
  everySeconds: number,
  log: Logger,
  onReport: (report: DiskReport) => void = () => {},
): () => void {
  if (everySeconds <= 0) return () => {};
  const tick = () => {
    guard.check().then(onReport, (error: unknown) => {
      log.warn({ err: error }, `periodic disk check failed: ${describeError(error)}`);
    });
  };
  const timer = setInterval(tick, everySeconds * 1000);
  timer.unref(); // never keep the process alive just to watch the disk
  tick();
  return () => clearInterval(timer);
}
