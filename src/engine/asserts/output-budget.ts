import { formatBytes, tailBytes } from "../../tail-buffer.js";
import type { AssertResult } from "../run.js";

/**
 * A run's record keeps at most `capBytes` of assert output in all (CCCI_RUN_OUTPUT_KIB): an assert past
 * the budget keeps the tail of its detail that still fits, and says so.
 */
export function keepWithinRunBudget(
  kept: AssertResult[],
  result: AssertResult,
  capBytes: number,
): AssertResult {
  const used = kept.reduce((sum, a) => sum + Buffer.byteLength(a.detail), 0);
  if (used + Buffer.byteLength(result.detail) <= capBytes) return result;
  const note = `(the run's assert output is capped at ${formatBytes(capBytes)}: this detail keeps its tail)\n`;
  const room = Math.max(0, capBytes - used - Buffer.byteLength(note));
  return { ...result, detail: note + tailBytes(result.detail, room).text };
}
