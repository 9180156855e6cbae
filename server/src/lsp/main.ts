import { isMainThread } from 'node:worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server.js';

/** How long the editor waits for the lint of one document before reporting it as too slow. */
const LINT_TIMEOUT_MS = 10_000;

// The bundle is also the lint worker's script (see lint-runner.ts); only the main thread serves.
// createConnection reads the transport from the command line: --stdio, --node-ipc or --socket.
if (isMainThread)
  startServer(createConnection(ProposedFeatures.all), { worker: { timeoutMs: LINT_TIMEOUT_MS } });
