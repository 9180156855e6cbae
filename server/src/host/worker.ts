import { parentPort } from 'node:worker_threads';
import { type LintOutcome, type LintTask, resolveTaskConfig, runLintTask } from './lint-task.js';

/** A batch of tasks from the pool, each with its index in the run's file list. */
export interface WorkerRequest {
  readonly tasks: readonly { readonly index: number; readonly task: LintTask }[];
}

export interface WorkerResponse {
  readonly outcomes: readonly { readonly index: number; readonly outcome: LintOutcome }[];
}

// Entry of server/dist/worker.js: lint each batch the pool sends, answer with the outcomes.
const port = parentPort;
if (port !== null) {
  port.on('message', (request: WorkerRequest) => {
    const outcomes = request.tasks.map(({ index, task }) => ({
      index,
      outcome: runLintTask(task, resolveTaskConfig(task)),
    }));
    const response: WorkerResponse = { outcomes };
    port.postMessage(response);
  });
}
