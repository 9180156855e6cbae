import { isMainThread } from 'node:worker_threads';
import {
  type Connection,
  createConnection,
  IPCMessageReader,
  IPCMessageWriter,
  ProposedFeatures,
  StreamMessageWriter,
} from 'vscode-languageserver/node';
import { startServer } from './server.js';
import { createGuardedConnection, GuardedStreamReader } from './transport.js';

/** How long the editor waits for the lint of one document before reporting it as too slow. */
const LINT_TIMEOUT_MS = 10_000;

/**
 * `RELAY_LINT_DEBOUNCE_MS` replaces the keystroke debounce (150 ms); the benchmark
 * (bench/run.mjs) sets it to 0 to time the server's own work per edit.
 */
const debounceMs = Number.parseInt(process.env['RELAY_LINT_DEBOUNCE_MS'] ?? '', 10);

/**
 * Every message passes the lifecycle gate (transport.ts). Over IPC (what the extension uses)
 * messages arrive whole. Over stdio (other editors, the tests) they are framed by
 * GuardedStreamReader, and the process exits when stdin ends, as the LSP asks of a server whose
 * client is gone (0 after `shutdown`, else 1). A socket or pipe is left to vscode-languageserver.
 */
function connect(): Connection {
  if (process.argv.includes('--node-ipc'))
    return createGuardedConnection(new IPCMessageReader(process), new IPCMessageWriter(process))
      .connection;
  if (!process.argv.includes('--stdio')) return createConnection(ProposedFeatures.all);
  const writer = new StreamMessageWriter(process.stdout);
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const guarded = createGuardedConnection(new GuardedStreamReader(process.stdin, log), writer);
  const exit = (): void => {
    process.exit(guarded.shutdownReceived() ? 0 : 1);
  };
  process.stdin.on('end', exit);
  process.stdin.on('close', exit);
  // stdout carries the protocol: a stray console.log must not corrupt it.
  const toStderr = (...args: unknown[]): void => {
    process.stderr.write(`${args.map(String).join(' ')}\n`);
  };
  Object.assign(console, { log: toStderr, info: toStderr, debug: toStderr });
  return guarded.connection;
}

// The bundle is also the lint worker's script (see lint-runner.ts); only the main thread serves.
if (isMainThread)
  startServer(connect(), {
    worker: { timeoutMs: LINT_TIMEOUT_MS },
    ...(Number.isInteger(debounceMs) && debounceMs >= 0 ? { debounceMs } : {}),
  });
