import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { errorMessage } from '../core/errors.js';
import { DEFAULT_CONFIG } from '../core/config/project-config.js';
import { lintSource } from '../core/lint-source.js';
import type { Finding, ParsedFile } from '../core/model.js';
import { clearConfigCache, loadConfigFile } from '../host/config-discovery.js';
import { siblingsOf } from '../host/siblings.js';

/** One lint, as plain data so that it can cross to the worker thread. */
export interface LintJob {
  readonly uri: string;
  readonly text: string;
  /** The `.relay-lint.yaml` in force (the worker loads it itself), or none for the defaults. */
  readonly configFile?: string;
  /** Path of the document relative to the configuration's folder (for overrides). */
  readonly rel: string;
  readonly fingerprintPath: string;
  /** Absolute path of the document, for the files beside it (a Postfix master.cf). */
  readonly file?: string;
}

export type LintResult =
  | {
      readonly kind: 'done';
      readonly findings: Finding[];
      readonly lineStarts: readonly number[];
    }
  /** A newer lint of the same document replaced this one before it started. */
  | { readonly kind: 'superseded' }
  | { readonly kind: 'timeout'; readonly ms: number }
  | { readonly kind: 'failed'; readonly message: string };

/** Parses and lints a job exactly as the CLI lints a file (`host/lint-file.ts`). */
export function runJob(job: LintJob): { parsed: ParsedFile; findings: Finding[] } {
  const config =
    job.configFile !== undefined ? loadConfigFile(job.configFile).loaded.config : DEFAULT_CONFIG;
  const { file: parsed, findings } = lintSource({
    uri: job.uri,
    text: job.text,
    project: config,
    relPath: job.rel,
    fingerprintPath: job.fingerprintPath,
    ...(job.file !== undefined ? { siblings: siblingsOf(job.file) } : {}),
  });
  return { parsed, findings };
}

type ToWorker = { readonly type: 'lint'; readonly job: LintJob } | { readonly type: 'clear' };
type FromWorker =
  /** Sent once the worker has loaded and linted a tiny file: the time budget starts now. */
  | { readonly type: 'ready' }
  /** Findings and line starts only: the tree of a large file costs more to post than to parse. */
  | { readonly type: 'done'; readonly findings: Finding[]; readonly lineStarts: readonly number[] }
  | { readonly type: 'failed'; readonly message: string };

const WORKER_FLAG = 'relayLintLintWorker';

interface Pending {
  readonly job: LintJob;
  readonly resolve: (result: LintResult) => void;
}

/**
 * Lints on a worker thread, one job at a time, each within a time budget: a document that takes
 * longer (huge, or built to be slow) gets a finding saying so instead of freezing the server,
 * and the worker is replaced. Jobs waiting for the same document collapse to the latest.
 */
export class WorkerLintRunner {
  private worker: Worker | undefined;
  private ready = false;
  private current:
    | (Pending & { readonly timer: ReturnType<typeof setTimeout>; readonly started: number })
    | undefined;
  private readonly queue = new Map<string, Pending>();

  constructor(
    private readonly timeoutMs: number,
    private readonly log: (message: string) => void,
    /** The script the worker runs: this module (tests) or the bundle that contains it. */
    private readonly script: string = __filename,
  ) {}

  lint(job: LintJob): Promise<LintResult> {
    return new Promise((resolve) => {
      const previous = this.queue.get(job.uri);
      if (previous !== undefined) {
        this.queue.delete(job.uri);
        previous.resolve({ kind: 'superseded' });
      }
      this.queue.set(job.uri, { job, resolve });
      this.pump();
    });
  }

  /** The configuration files changed on disk: the worker forgets the ones it cached. */
  invalidate(): void {
    this.post({ type: 'clear' });
  }

  /** Starts the worker, which pays its one-time costs (loading, schema compilation) early. */
  warmUp(): void {
    this.ensureWorker();
  }

  dispose(): void {
    for (const p of this.queue.values()) p.resolve({ kind: 'superseded' });
    this.queue.clear();
    this.finish({ kind: 'superseded' });
    void this.worker?.terminate();
    this.worker = undefined;
  }

  get pending(): number {
    return this.queue.size + (this.current !== undefined ? 1 : 0);
  }

  private pump(): void {
    if (this.current !== undefined || this.queue.size === 0) return;
    // A new worker lints only once it is ready, so its start-up does not count against a file.
    if (this.ensureWorker() !== undefined && !this.ready) return;
    const next = this.queue.entries().next();
    if (next.done === true) return;
    const [uri, pending] = next.value;
    this.queue.delete(uri);
    const timer = setTimeout(() => {
      this.log(`linting ${uri} took longer than ${this.timeoutMs} ms; the lint worker is replaced`);
      void this.worker?.terminate();
      this.worker = undefined;
      this.ready = false;
      this.finish({ kind: 'timeout', ms: this.timeoutMs });
    }, this.timeoutMs);
    this.current = { ...pending, timer, started: Date.now() };
    this.post({ type: 'lint', job: pending.job });
  }

  private finish(result: LintResult): void {
    const current = this.current;
    if (current === undefined) return;
    clearTimeout(current.timer);
    this.current = undefined;
    current.resolve(result);
    this.pump();
  }

  private post(message: ToWorker): void {
    if (message.type === 'clear' && this.worker === undefined) return;
    this.ensureWorker()?.postMessage(message);
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker !== undefined) return this.worker;
    // stdout is the protocol channel with --stdio: the worker never writes to it.
    const worker = new Worker(this.script, {
      workerData: { [WORKER_FLAG]: true },
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.on('data', (chunk: Buffer) => {
      this.log(`lint worker: ${chunk.toString('utf8').trimEnd()}`);
    });
    worker.on('message', (message: FromWorker) => {
      if (this.worker !== worker) return;
      if (message.type === 'ready') {
        this.ready = true;
        this.pump();
        return;
      }
      this.finish(
        message.type === 'done'
          ? { kind: 'done', findings: message.findings, lineStarts: message.lineStarts }
          : { kind: 'failed', message: message.message },
      );
    });
    const lost = (reason: string): void => {
      if (this.worker !== worker) return;
      const wasReady = this.ready;
      this.worker = undefined;
      this.ready = false;
      this.log(`lint worker stopped: ${reason}`);
      if (wasReady) {
        this.finish({ kind: 'failed', message: reason });
        return;
      }
      // A worker that cannot even start would fail again: fail what waits instead of looping.
      for (const p of this.queue.values()) p.resolve({ kind: 'failed', message: reason });
      this.queue.clear();
    };
    worker.on('error', (error) => {
      lost(error.message);
    });
    worker.on('exit', (code) => {
      lost(`exit code ${code}`);
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

/** The worker side: runs when this module is loaded as the lint worker. */
function serveJobs(): void {
  const port = parentPort;
  if (port === null) return;
  runJob({
    uri: 'warm-up.relay.yaml',
    text: 'version: 1\nservers: []\n',
    rel: 'warm-up.relay.yaml',
    fingerprintPath: 'warm-up',
  });
  const ready: FromWorker = { type: 'ready' };
  port.postMessage(ready);
  port.on('message', (message: ToWorker) => {
    if (message.type === 'clear') {
      clearConfigCache();
      return;
    }
    let reply: FromWorker;
    try {
      const { parsed, findings } = runJob(message.job);
      reply = { type: 'done', findings, lineStarts: parsed.lineStarts };
    } catch (error) {
      reply = { type: 'failed', message: errorMessage(error) };
    }
    port.postMessage(reply);
  });
}

const data: unknown = workerData;
if (!isMainThread && typeof data === 'object' && data !== null && WORKER_FLAG in data) serveJobs();
