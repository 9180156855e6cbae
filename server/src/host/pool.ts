import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type LintOutcome, type LintTask, resolveTaskConfig, runLintTask } from './lint-task.js';
import type { WorkerRequest, WorkerResponse } from './worker.js';

/** Below this many files, starting workers (about 100 ms each) costs more than it saves. */
export const PARALLEL_THRESHOLD = 200;
/** More workers than this stop paying: the main thread's reading of results becomes the limit. */
const MAX_WORKERS = 8;

export type Concurrency = 'auto' | 'off' | number;

/**
 * How many threads to use for `files` files: none (lint on this thread alone) for small runs, on
 * a single or busy CPU, or when the worker script is missing (running from sources); otherwise
 * one per idle CPU. `loadavg` is all zeros on Windows, where every CPU counts as idle.
 */
export function workerCount(concurrency: Concurrency, files: number): number {
  if (concurrency === 'off' || files < 2 || !existsSync(workerScript())) return 0;
  if (concurrency === 'auto') {
    if (files < PARALLEL_THRESHOLD) return 0;
    // Threads pay only on idle CPUs: on a machine already busy (a shared CI runner, a parallel
    // test run) they share the same cores and add start-up work, which measured slower.
    const cpus = availableParallelism();
    const idle = Math.floor(cpus - (loadavg()[0] ?? 0) + 0.5);
    const threads = Math.min(cpus, idle, MAX_WORKERS);
    return threads > 1 ? threads : 0;
  }
  return concurrency > 1 ? Math.min(concurrency, files) : 0;
}

/** worker.js sits next to the running script: server/dist in the bundle, the tsc output in tests. */
export function workerScript(): string {
  return path.join(__dirname, 'worker.js');
}

export interface PoolOptions {
  /** Called as each outcome arrives (in completion order), with the task's index. */
  readonly onOutcome?: (index: number, outcome: LintOutcome) => void;
  /** Checked before each batch goes out: once true, no new batch is sent. */
  readonly stopped?: () => boolean;
  /** Largest batch (default 100); smaller batches stop sooner. */
  readonly maxBatch?: number;
  /**
   * Lint batches on this thread too, between messages (the CLI: this thread is warm and
   * otherwise idle). The language server leaves it off to keep its thread for the editor.
   */
  readonly here?: (task: LintTask) => LintOutcome;
}

/**
 * Lints `tasks` on `threads` threads: this one and `threads - 1` workers. Tasks go out in small
 * batches to whichever thread is free, and outcomes land at their task's index, so the result is
 * in the same order as a serial run.
 */
export async function lintInWorkers(
  tasks: readonly LintTask[],
  threads: number,
  onProgress: (done: number) => void,
): Promise<LintOutcome[]> {
  const outcomes = new Array<LintOutcome | undefined>(tasks.length);
  let done = 0;
  // This thread lints too: it is warm already, where a worker would pay the start-up and the
  // JIT warm-up again (about a second of CPU each for a large run).
  await runPool(tasks, Math.max(threads - 1, 1), {
    onOutcome: (index, outcome) => {
      outcomes[index] = outcome;
      onProgress(++done);
    },
    here: (task) => runLintTask(task, resolveTaskConfig(task)),
  });
  return outcomes.map((o, i) => {
    if (o === undefined) throw new Error(`no result for ${tasks[i]?.file ?? `task ${i}`}`);
    return o;
  });
}

/**
 * The pool itself: resolves once every batch sent has come back. When `stopped()` turns true
 * the remaining tasks are never sent, and their outcomes never arrive.
 */
export async function runPool(
  tasks: readonly LintTask[],
  workers: number,
  options: PoolOptions,
): Promise<void> {
  // Small enough batches that the last ones balance the load, big enough to amortise messages.
  const batch = Math.min(
    options.maxBatch ?? 100,
    Math.max(4, Math.ceil(tasks.length / (workers * 16))),
  );
  let next = 0;
  const pool = Array.from({ length: workers }, () => new Worker(workerScript()));
  const take = (): number | undefined => {
    if (next >= tasks.length || options.stopped?.() === true) return undefined;
    const start = next;
    next = Math.min(next + batch, tasks.length);
    return start;
  };
  const local = async (here: (task: LintTask) => LintOutcome): Promise<void> => {
    for (let start = take(); start !== undefined; start = take()) {
      const end = Math.min(start + batch, tasks.length);
      for (let i = start; i < end; i++) options.onOutcome?.(i, here(tasks[i] as LintTask));
      // Let the workers' messages in: they are waiting for their next batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  try {
    await Promise.all([
      ...(options.here !== undefined ? [local(options.here)] : []),
      ...pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            // Two batches in flight per worker: it starts the next one while the main thread
            // reads the last one's results, so it never sits idle waiting for a round trip
            // (which costs a scheduling delay each time on a busy machine).
            let inFlight = 0;
            let finished = false;
            const send = (): void => {
              const start = take();
              if (start === undefined) {
                if (inFlight === 0) {
                  finished = true;
                  resolve();
                }
                return;
              }
              const request: WorkerRequest = {
                tasks: tasks
                  .slice(start, start + batch)
                  .map((task, i) => ({ index: start + i, task })),
              };
              inFlight++;
              worker.postMessage(request);
            };
            worker.on('message', (response: WorkerResponse) => {
              inFlight--;
              for (const { index, outcome } of response.outcomes)
                options.onOutcome?.(index, outcome);
              send();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (!finished) reject(new Error(`a lint worker stopped early (exit code ${code})`));
            });
            send();
            send();
          }),
      ),
    ]);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
