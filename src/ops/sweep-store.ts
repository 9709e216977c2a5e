import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../warm/atomic-file.js";
import { type SweepReport, sweepReportSchema } from "./sweep-report.js";

export const sweepsDir = (stateDir: string) => join(stateDir, "sweeps");
export const lastSweepPath = (stateDir: string) => join(sweepsDir(stateDir), "last.json");

/** Replaces `<state>/sweeps/last.json` atomically: a reader sees the old report or the new one, whole. */
export async function writeLastSweep(stateDir: string, report: SweepReport): Promise<string> {
  const path = lastSweepPath(stateDir);
  await mkdir(sweepsDir(stateDir), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

/** The last sweep's report; null when no sweep has run yet. Throws, naming the file, when it is corrupt. */
export async function readLastSweep(stateDir: string): Promise<SweepReport | null> {
  const path = lastSweepPath(stateDir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`the last sweep report ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = sweepReportSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`the last sweep report ${path} is malformed: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
