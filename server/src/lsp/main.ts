import { isMainThread } from 'node:worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server.js';

/** How long the editor waits for the lint of one document before reporting it as too slow. */
const LINT_TIMEOUT_MS = 10_000;

/**
 * `RELAY_LINT_DEBOUNCE_MS` replaces the keystroke debounce (150 ms); the benchmark
 * (bench/run.mjs) sets it to 0 to time the server's own work per edit.
 */
const debounceMs = Number.parseInt(process.env['RELAY_LINT_DEBOUNCE_MS'] ?? '', 10);

// The bundle is also the lint worker's script (see lint-runner.ts); only the main thread serves.
// createConnection reads the transport from the command line: --stdio, --node-ipc or --socket.
if (isMainThread)
  startServer(createConnection(ProposedFeatures.all), {
    worker: { timeoutMs: LINT_TIMEOUT_MS },
    ...(Number.isInteger(debounceMs) && debounceMs >= 0 ? { debounceMs } : {}),
  });
