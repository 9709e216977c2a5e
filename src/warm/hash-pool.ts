import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/**
 * Content sha256 of many files, on worker threads with synchronous reads. Why not `fs.promises`: each
 * small file costs four round trips through libuv's four-thread pool, which left a 20k-file volume
 * latency-bound (~9 s for 1 GiB, the hashing itself being 0.7 s). Workers block on their own reads in
 * parallel, so cold-cache latency overlaps, and hashing runs off the main thread (the bot keeps serving).
 */
const workerSource = `
const { parentPort } = require("node:worker_threads");
const { openSync, readSync, closeSync } = require("node:fs");
const { createHash } = require("node:crypto");
const buffer = Buffer.allocUnsafe(1 << 20);
function hashFile(path) {
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}
parentPort.on("message", (paths) => {
  const results = [];
  for (const path of paths) {
    try {
      results.push({ hash: hashFile(path) });
    } catch (error) {
      results.push({ error: String(error && error.message ? error.message : error) });
    }
  }
  parentPort.postMessage(results);
});
`;

type WorkerResult = { hash: string } | { error: string };

/** Per message: small enough to balance the workers (big files alone), large enough to amortise it. */
const BATCH_FILES = 32;
const BATCH_BYTES = 8 << 20;

export interface FileToHash {
  path: string;
  size: number;
}

/** Hashes the files, returning hex digests in the same order; throws naming the first unreadable file. */
export async function hashFiles(files: readonly FileToHash[], workers = defaultWorkers()): Promise<string[]> {
  if (files.length === 0) return [];
  const paths = files.map((f) => f.path);
  const digests = new Array<string>(files.length);
  let next = 0;
  const nextBatchEnd = (start: number) => {
    let end = start;
    let bytes = 0;
    while (end < files.length && end - start < BATCH_FILES && (end === start || bytes < BATCH_BYTES))
      bytes += (files[end++] as FileToHash).size;
    return end;
  };
  const pool = Array.from({ length: Math.min(workers, files.length) }, () => {
    return new Worker(workerSource, { eval: true });
  });
  try {
    await Promise.all(
      pool.map(async (worker) => {
        while (next < paths.length) {
          const start = next;
          next = nextBatchEnd(start);
          const results = await ask(worker, paths.slice(start, next));
          for (const [i, result] of results.entries()) {
            if ("error" in result) throw new Error(`${paths[start + i]}: ${result.error}`);
            digests[start + i] = result.hash;
          }
        }
      }),
    );
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  return digests;
}

function ask(worker: Worker, paths: string[]): Promise<WorkerResult[]> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    const onError = (error: Error) => {
      settle();
      reject(error);
    };
    const onExit = () => {
      settle();
      reject(new Error("a hash worker stopped before answering"));
    };
    const onMessage = (results: WorkerResult[]) => {
      settle();
      resolve(results);
    };
    worker.once("message", onMessage);
    worker.once("error", onError);
    worker.once("exit", onExit);
    worker.postMessage(paths);
  });
}

/** Reads overlap on I/O latency well past the core count; 8 threads cost ~10 MB each and only while hashing. */
function defaultWorkers(): number {
  return Math.max(8, availableParallelism());
}
