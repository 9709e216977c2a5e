import { closeSync, type FSWatcher, openSync, readdirSync, readSync, watch } from "node:fs";
import { join } from "node:path";
import type { BotProcess } from "./bot-process.js";

/** Decides whether an entry that appeared in `dir` is the one awaited at this level of the path. */
export type EntryMatch = (name: string, dir: string) => boolean;

export interface ArmedKill {
  /** Resolves with the path (relative to the watched dir) whose appearance triggered the kill. */
  killed: Promise<string>;
  disarm(): void;
}

/**
 * SIGKILLs the bot the moment a path appears under `dir` whose first segment matches `levels[0]`, second
 * `levels[1]` and so on (each directory is watched once its parent's entry appears). inotify through
 * `fs.watch`, not polling: the kill lands within milliseconds, in the middle of the write that made it.
 */
export function killWhenAppears(bot: BotProcess, dir: string, ...levels: EntryMatch[]): ArmedKill {
  const watchers: FSWatcher[] = [];
  const disarm = () => {
    for (const watcher of watchers.splice(0)) watcher.close();
  };
  const killed = new Promise<string>((resolve, reject) => {
    const arm = (at: string, depth: number, prefix: string) => {
      const seen = (name: string | null) => {
        if (!name || !levels[depth]!(name, at) || watchers.length === 0) return;
        if (depth + 1 < levels.length) return arm(join(at, name), depth + 1, join(prefix, name));
        bot.killNow();
        disarm();
        resolve(join(prefix, name));
      };
      const watcher = watch(at, (_event, name) => seen(name));
      watcher.on("error", reject);
      watchers.push(watcher);
      // The entry may have appeared between the parent's event and this watch.
      for (const name of readdirSync(at)) seen(name);
    };
    arm(dir, 0, "");
  });
  return { killed, disarm };
}

/**
 * SIGKILLs the bot the moment its log file gains a line matching `pattern` (inotify on the file, then the
 * new bytes read): for a moment that leaves no file behind, such as a step of the snapshot store.
 */
export function killWhenLogged(bot: BotProcess, logFile: string, pattern: RegExp): ArmedKill {
  const fd = openSync(logFile, "r");
  let text = "";
  let watcher: FSWatcher | undefined;
  const disarm = () => {
    if (!watcher) return;
    watcher.close();
    watcher = undefined;
    closeSync(fd);
  };
  const killed = new Promise<string>((resolve, reject) => {
    const check = () => {
      const buffer = Buffer.alloc(1 << 16);
      for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer))
        text += buffer.toString("utf8", 0, n);
      const line = text.split("\n").find((l) => pattern.test(l));
      if (!line || !watcher) return;
      bot.killNow();
      disarm();
      resolve(line);
    };
    watcher = watch(logFile, check);
    watcher.on("error", reject);
    check();
  });
  return { killed, disarm };
}
