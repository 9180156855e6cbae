// A minimal LSP client over stdio for the benchmark: Content-Length framing, requests with ids,
// answers to the server's own requests, and waiting for publishDiagnostics by URI and version.
// No dependency, so that both servers are driven by exactly the same code.

/* global Buffer, setTimeout, clearTimeout, process, performance */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export class LspClient {
  /**
   * @param {string} command
   * @param {string[]} args
   * @param {{ env?: Record<string, string>, onRequest?: (method: string, params: unknown) => unknown }} options
   */
  constructor(command, args, options = {}) {
    this.child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    this.onRequest = options.onRequest ?? (() => null);
    this.nextId = 1;
    this.pending = new Map();
    this.waiters = [];
    this.buffer = Buffer.alloc(0);
    this.chunks = [];
    this.received = 0;
    this.needed = 0;
    this.stderr = '';
    this.exited = false;
    this.child.stdout.on('data', (chunk) => this.receive(chunk));
    this.child.stderr.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.child.on('exit', () => {
      this.exited = true;
      for (const { reject } of this.pending.values())
        reject(new Error(`server exited: ${this.stderr}`));
      for (const w of this.waiters) w.reject(new Error(`server exited: ${this.stderr}`));
    });
  }

  get pid() {
    return this.child.pid;
  }

  send(message) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ id, method, params });
    });
  }

  notify(method, params) {
    this.send({ method, params });
  }

  /** The next publishDiagnostics for `uri` that `match` accepts, with its arrival time. */
  diagnostics(uri, match = () => true, timeoutMs = 600_000) {
    return new Promise((resolve, reject) => {
      const waiter = {
        uri,
        match,
        resolve: (params) => {
          clearTimeout(timer);
          resolve(params);
        },
        reject,
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  receive(chunk) {
    // Arrival time of the bytes, before this client spends time parsing them.
    const at = performance.now();
    this.chunks.push(chunk);
    this.received += chunk.length;
    // A large message arrives in many chunks: join them once it is complete, not per chunk.
    if (this.received < this.needed) return;
    this.buffer = Buffer.concat([this.buffer, ...this.chunks]);
    this.chunks = [];
    this.received = this.buffer.length;
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length: *(\d+)/i.exec(header)?.[1] ?? NaN);
      this.needed = headerEnd + 4 + length;
      if (this.buffer.length < this.needed) return;
      const body = this.buffer.subarray(headerEnd + 4, this.needed).toString('utf8');
      this.buffer = this.buffer.subarray(this.needed);
      this.received = this.buffer.length;
      this.needed = 0;
      this.dispatch(JSON.parse(body), at);
    }
  }

  dispatch(message, at) {
    if (message.id !== undefined && message.method === undefined) {
      const p = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) p?.reject(new Error(message.error.message));
      else p?.resolve(message.result);
      return;
    }
    if (message.id !== undefined) {
      Promise.resolve(this.onRequest(message.method, message.params)).then((result) =>
        this.send({ id: message.id, result: result ?? null }),
      );
      return;
    }
    if (message.method === 'textDocument/publishDiagnostics') {
      const params = { ...message.params, receivedAt: at };
      for (const w of [...this.waiters]) {
        if (w.uri !== params.uri || !w.match(params)) continue;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(params);
      }
    }
  }

  /** Resident set size of the server process (threads included), in bytes. */
  rss() {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
  }

  /** CPU time the server process has used so far (all threads), in clock ticks. */
  cpuTicks() {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  }

  async initialize(params) {
    const result = await this.request('initialize', params);
    this.notify('initialized', {});
    return result;
  }

  async shutdown() {
    if (this.exited) return;
    try {
      await Promise.race([
        this.request('shutdown', null),
        new Promise((resolve) => setTimeout(resolve, 2000)),
      ]);
      this.notify('exit', null);
    } catch {
      // Already gone.
    }
    await new Promise((resolve) => {
      if (this.exited) resolve();
      const timer = setTimeout(() => {
        this.child.kill();
        resolve();
      }, 2000);
      this.child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
