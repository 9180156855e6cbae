import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  createProtocolConnection,
  type Message,
  type ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';
import { startServer } from '../../server/src/lsp/server.js';
import { createGuardedConnection, GuardedStreamReader } from '../../server/src/lsp/transport.js';
import { repoRoot } from '../support/repo-root.js';
import { startTestClient, type TempWorkspace, tempWorkspace, type TestClient } from './harness.js';

// Issue 11, items 7 and 17-20: the lifecycle, malformed parameters, stale or out-of-range edits
// and a hostile transport. Each case failed before the boundary (boundary.ts, params.ts,
// document-sync.ts, transport.ts) was put in front of the handlers.

const ROOT = repoRoot();
const EDGE = readFileSync(path.join(ROOT, 'test', 'lsp', 'fixtures', 'edge.relay.yaml'), 'utf8');
const INVALID_PARAMS = -32602;
const INVALID_REQUEST = -32600;
const NOT_INITIALIZED = -32002;

let ws: TempWorkspace;
before(() => {
  ws = tempWorkspace();
});
after(() => {
  ws.dispose();
});

/** The server on an in-memory pipe with no `initialize` sent yet, and the log lines it writes. */
function rawServer(): { connection: ProtocolConnection; logs: string[] } {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  startServer(
    createGuardedConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient))
      .connection,
    { debounceMs: 0 },
  );
  const connection = createProtocolConnection(
    new StreamMessageReader(toClient),
    new StreamMessageWriter(toServer),
  );
  const logs: string[] = [];
  connection.onNotification('window/logMessage', (p: { message: string }) => {
    logs.push(p.message);
  });
  connection.listen();
  return { connection, logs };
}

const POSITION = { line: 0, character: 0 };

/** Captures the server's log lines from now on. */
function captureLog(client: TestClient): string[] {
  const logs: string[] = [];
  client.connection.onNotification('window/logMessage', (p: { message: string }) => {
    logs.push(p.message);
  });
  return logs;
}

describe('language server: lifecycle (issue 11 #17)', () => {
  test('a request before initialize is -32002; a second initialize and any request after shutdown are InvalidRequest', async () => {
    const { connection } = rawServer();
    const hover = { textDocument: { uri: ws.uriOf('x.relay.yaml') }, position: POSITION };
    await assert.rejects(connection.sendRequest('textDocument/hover', hover), {
      code: NOT_INITIALIZED,
    });
    await assert.rejects(connection.sendRequest('relayLint/auditExport', { format: 'sarif' }), {
      code: NOT_INITIALIZED,
    });
    const init = { processId: null, rootUri: null, capabilities: {} };
    const result = await connection.sendRequest<{ capabilities: { hoverProvider?: boolean } }>(
      'initialize',
      init,
    );
    assert.equal(result.capabilities.hoverProvider, true);
    await assert.rejects(connection.sendRequest('initialize', init), { code: INVALID_REQUEST });
    await connection.sendNotification('initialized', {});
    assert.equal(await connection.sendRequest('textDocument/hover', hover), null);
    await connection.sendRequest('shutdown');
    await assert.rejects(connection.sendRequest('textDocument/hover', hover), {
      code: INVALID_REQUEST,
    });
    await assert.rejects(connection.sendRequest('relayLint/audit', {}), {
      code: INVALID_REQUEST,
    });
    connection.dispose();
  });

  test('initialize without params or capabilities is InvalidParams, and a good one still works', async () => {
    const { connection } = rawServer();
    await assert.rejects(connection.sendRequest('initialize', null), { code: INVALID_PARAMS });
    await assert.rejects(connection.sendRequest('initialize', { capabilities: 5 }), {
      code: INVALID_PARAMS,
    });
    const result = await connection.sendRequest<{ capabilities: object }>('initialize', {
      processId: null,
      rootUri: null,
      capabilities: {},
    });
    assert.equal(typeof result.capabilities, 'object');
    await connection.sendRequest('shutdown');
    connection.dispose();
  });
});

describe('language server: malformed parameters (issue 11 #7, #19)', () => {
  test('null params, a hover without textDocument, a code action with context null: InvalidParams and one log line each, never a stack', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const logs = captureLog(client);
    const uri = ws.uriOf('target.relay.yaml');
    const c = client.connection;
    const range = { start: POSITION, end: POSITION };
    const cases: [string, unknown][] = [
      ['textDocument/hover', null],
      ['textDocument/codeAction', null],
      ['textDocument/completion', null],
      ['textDocument/hover', { position: POSITION }],
      ['textDocument/codeAction', { textDocument: { uri }, range, context: null }],
      [
        'textDocument/codeAction',
        { textDocument: { uri }, range, context: { diagnostics: [null] } },
      ],
      ['textDocument/completion', { textDocument: { uri }, position: { line: -1, character: 0 } }],
      ['relayLint/auditExport', { format: 'pdf' }],
      ['relayLint/audit', { folders: 'everything' }],
    ];
    for (const [method, params] of cases) {
      const before = logs.length;
      await assert.rejects(
        c.sendRequest(method, params),
        (e: { code: number; message: string }) => {
          assert.equal(e.code, INVALID_PARAMS, `${method} ${JSON.stringify(params)}`);
          assert.doesNotMatch(e.message, /Cannot read properties|TypeError/);
          return true;
        },
      );
      await client.sync();
      const lines = logs.slice(before);
      assert.equal(lines.length, 1, `${method}: ${lines.join(' | ')}`);
      assert.match(lines[0] ?? '', /invalid params/);
      assert.doesNotMatch(lines[0] ?? '', /\n|\bat \S+ \(/, 'one line, no stack');
    }
    await client.dispose();
  });
});

describe('language server: document sync (issue 11 #18)', () => {
  test('didOpen v5 then didChange v3 and v4: both ignored, no publish goes back in versions', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const logs = captureLog(client);
    const uri = ws.uriOf('versions.relay.yaml');
    const opened = client.nextDiagnostics(uri);
    client.open(uri, EDGE, 5);
    assert.equal((await opened).version, 5);
    client.change(uri, 3, 'version: 1\nservers: []\n');
    client.change(uri, 4, 'version: 1\nservers: []\n');
    await client.sync();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      client.published.filter((p) => p.uri === uri).map((p) => p.version),
      [5],
    );
    assert.equal(logs.filter((l) => /not newer than version 5/.test(l)).length, 2);
    // A newer version is applied as usual.
    const next = client.nextDiagnostics(uri, (p) => p.version === 6);
    client.change(uri, 6, 'version: 1\nservers: []\n');
    assert.deepEqual((await next).diagnostics, []);
    await client.dispose();
  });

  test('an edit with a range past the end of the document is refused, not applied silently', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const logs = captureLog(client);
    const uri = ws.uriOf('ranges.relay.yaml');
    const short = 'version: 1\nservers: []\n';
    const opened = client.nextDiagnostics(uri);
    client.open(uri, short, 1);
    await opened;
    const far = { line: 998, character: 0 };
    client.changeIncremental(uri, 2, [
      { range: { start: far, end: far }, text: 'servers: {broken\n' },
    ]);
    await client.sync();
    assert.ok(
      logs.some((l) => /ignored: change 0 reaches line 999, past the end/.test(l)),
      logs.join(' | '),
    );
    // The refused edit left the text alone: an edit at the real end applies to the short text.
    const next = client.nextDiagnostics(uri, (p) => p.version === 3);
    client.changeIncremental(uri, 3, [
      {
        range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } },
        text: '# ok\n',
      },
    ]);
    assert.deepEqual((await next).diagnostics, []);
    await client.dispose();
  });
});

/** Frames a JSON-RPC message as the LSP base protocol does. */
function frame(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/** Messages a GuardedStreamReader delivers from `chunks`, and its log. */
function readAll(chunks: readonly Buffer[]): { messages: Message[]; logs: string[] } {
  const input = new PassThrough();
  const logs: string[] = [];
  const reader = new GuardedStreamReader(input, (m) => logs.push(m));
  const messages: Message[] = [];
  reader.listen((m) => messages.push(m));
  for (const c of chunks) input.write(c);
  return { messages, logs };
}

const PING = { jsonrpc: '2.0', method: 'ping', params: {} };

describe('language server: transport (issue 11 #20)', () => {
  test('Content-Length -5 or a header line without a colon: logged, and the next message is read', async () => {
    const cases: Buffer[] = [
      Buffer.from('Content-Length: -5\r\n\r\n', 'ascii'),
      Buffer.from('Content-Length: 12abc\r\n\r\n', 'ascii'),
      Buffer.from('this line has no colon\r\n\r\n', 'ascii'),
      Buffer.from(
        'Content-Type: text/plain; charset=latin-1\r\nContent-Length: 2\r\n\r\n{}',
        'ascii',
      ),
      Buffer.from('Content-Length: 3\r\n\r\n{x}', 'ascii'),
    ];
    for (const bad of cases) {
      const { messages, logs } = readAll([bad, frame(PING)]);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(messages, [PING], bad.toString('latin1'));
      assert.ok(logs.length >= 1, `${bad.toString('latin1')}: logged`);
    }
  });

  test('a message split byte by byte is read whole', async () => {
    const framed = Buffer.concat([frame(PING), frame({ ...PING, method: 'pong' })]);
    const chunks = [...framed].map((b) => Buffer.from([b]));
    const { messages, logs } = readAll(chunks);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      messages.map((m) => (m as unknown as { method: string }).method),
      ['ping', 'pong'],
    );
    assert.deepEqual(logs, []);
  });

  test('property: frames cut at any points are read whole and in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (texts, cuts) => {
          const messages = texts.map((t, i) => ({
            jsonrpc: '2.0',
            method: `m${i}`,
            params: { t },
          }));
          const bytes = Buffer.concat(messages.map(frame));
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks: Buffer[] = [];
          let last = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(last, p));
            last = p;
          }
          const read = readAll(chunks.filter((c) => c.length > 0));
          assert.deepEqual(read.messages, messages);
          assert.deepEqual(read.logs, []);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a 32 MB junk header is scanned in linear time, and a message after it is read', () => {
    const junkChunk = Buffer.alloc(64 * 1024, 'a');
    const time = (n: number): number => {
      const start = process.hrtime.bigint();
      const { messages } = readAll([
        Buffer.from('Content-Length: 10 X-Junk: ', 'ascii'),
        ...Array<Buffer>(n).fill(junkChunk),
        Buffer.from('\r\n\r\n', 'ascii'),
        frame(PING),
      ]);
      assert.deepEqual(messages, [PING]);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const small = time(32); // 2 MB
    const large = time(512); // 32 MB
    // Linear: 16 times the input costs about 16 times the time (a generous bound for CI noise).
    assert.ok(large < Math.max(50, small) * 40, `2 MB: ${small} ms, 32 MB: ${large} ms`);
    assert.ok(large < 5000, `32 MB: ${large} ms`);
  });

  test('over IPC (the transport the extension uses) the same lifecycle gate holds', async () => {
    const main = path.join(ROOT, 'test', 'out', 'server', 'src', 'lsp', 'main.js');
    const child = fork(main, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const answers = new Map<number, { result?: unknown; error?: { code: number } }>();
    const waiting = new Map<number, () => void>();
    child.on('message', (m: { id?: number; result?: unknown; error?: { code: number } }) => {
      if (typeof m.id !== 'number') return;
      answers.set(m.id, m);
      waiting.get(m.id)?.();
    });
    const request = (id: number, method: string, params?: unknown) =>
      new Promise<{ result?: unknown; error?: { code: number } }>((resolve) => {
        waiting.set(id, () => {
          resolve(answers.get(id) ?? {});
        });
        child.send({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) });
      });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const hover = { textDocument: { uri: 'file:///x.relay.yaml' }, position: POSITION };
    assert.equal((await request(1, 'textDocument/hover', hover)).error?.code, NOT_INITIALIZED);
    const init = await request(2, 'initialize', {
      processId: null,
      rootUri: null,
      capabilities: {},
    });
    assert.ok(init.result !== undefined);
    assert.equal((await request(3, 'textDocument/hover', null)).error?.code, INVALID_PARAMS);
    await request(4, 'shutdown');
    assert.equal((await request(5, 'textDocument/hover', hover)).error?.code, INVALID_REQUEST);
    child.send({ jsonrpc: '2.0', method: 'exit' });
    assert.equal(await exited, 0);
  });

  test('the server process exits when stdin closes, even in the middle of a junk header', async () => {
    const main = path.join(ROOT, 'test', 'out', 'server', 'src', 'lsp', 'main.js');
    const child = spawn(process.execPath, [main, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdin.write('Content-Length: -5\r\n\r\n');
    child.stdin.write(`Content-Length: 1 ${'j'.repeat(8 * 1024 * 1024)}`);
    child.stdin.end();
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => {
        resolve('timeout');
      }, 10_000).unref(),
    );
    const code = await Promise.race([exited, timeout]);
    if (code === 'timeout') child.kill();
    assert.equal(code, 1, 'exit code 1: the client went away without shutdown');
  });
});
