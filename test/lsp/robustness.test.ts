import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defineRule } from '../../server/src/core/rule.js';
import { catalog } from '../../server/src/core/rules/index.js';
import { repoRoot } from '../support/repo-root.js';
import { messageOf, startTestClient, type TempWorkspace, tempWorkspace } from './harness.js';

const FIXTURES = path.join(repoRoot(), 'test', 'lsp', 'fixtures');
const EDGE = readFileSync(path.join(FIXTURES, 'edge.relay.yaml'), 'utf8');

let ws: TempWorkspace;
before(() => {
  ws = tempWorkspace();
});
after(() => {
  ws.dispose();
});

const throwing = defineRule({
  meta: {
    id: 'RLY004',
    name: 'anonymous-auth',
    title: 'Throws',
    category: 'correctness',
    severity: 'high',
    messages: { never: 'never' },
    rationale: 'A rule that throws, for the test.',
  },
  *check() {
    yield* [];
    throw new Error('boom');
  },
});

describe('language server: robustness', () => {
  test('malformed requests and notifications are answered or ignored; the server lives on', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const c = client.connection;
    // Malformed parameters are InvalidParams (-32602), answered without running the handler.
    const invalid = { code: -32602 };
    await assert.rejects(c.sendRequest('textDocument/hover', {}), invalid);
    await assert.rejects(
      c.sendRequest('textDocument/hover', { textDocument: 42, position: 'x' }),
      invalid,
    );
    await assert.rejects(c.sendRequest('textDocument/codeAction', { textDocument: {} }), invalid);
    await assert.rejects(
      c.sendRequest('textDocument/completion', { textDocument: { uri: 7 } }),
      invalid,
    );
    await assert.rejects(c.sendRequest('relayLint/noSuchMethod', {}), /Unhandled method/);
    void c.sendNotification('textDocument/didOpen', { textDocument: null });
    void c.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///nope' } });
    void c.sendNotification('workspace/didChangeWatchedFiles', { changes: 'all of them' });
    void c.sendNotification('workspace/didChangeConfiguration', 17);
    client.close('file:///never/opened.relay.yaml');
    // Still working: a real document gets its diagnostics.
    const uri = ws.write('alive.relay.yaml', EDGE);
    const next = client.nextDiagnostics(uri);
    client.open(uri, EDGE);
    assert.ok((await next).diagnostics.length > 0);
    await client.dispose();
  });

  test('a throwing rule becomes one finding; the other rules still report', async () => {
    const rules = [throwing, ...catalog.filter((r) => r.meta.id !== 'RLY004')];
    const client = await startTestClient({ workspaceFolders: [ws.uri], rules });
    const uri = ws.write('throwing.relay.yaml', EDGE);
    const next = client.nextDiagnostics(uri);
    client.open(uri, EDGE);
    const d = (await next).diagnostics;
    const internal = d.find((x) => x.code === 'internal');
    assert.ok(internal !== undefined);
    assert.match(messageOf(internal), /boom/);
    assert.equal(internal.codeDescription, undefined, 'no documentation page for internal errors');
    assert.ok(d.some((x) => x.code === 'RLY001'));
    assert.ok(!d.some((x) => x.code === 'RLY004'));
    await client.dispose();
  });

  test('huge and hostile documents get a finding in bounded time', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    let bomb = 'version: 1\na: &a ["x","x","x","x","x","x","x","x","x"]\n';
    let prev = 'a';
    for (let i = 0; i < 9; i++) {
      bomb += `b${i}: &b${i} [${Array<string>(9).fill(`*${prev}`).join(',')}]\n`;
      prev = `b${i}`;
    }
    bomb += `servers: *${prev}\n`;
    const cases: [string, string, RegExp][] = [
      ['bomb.relay.yaml', bomb, /more than 200,000 nodes/],
      [
        'huge.relay.yaml',
        `version: 1\nservers: []\n${'#'.repeat(6 * 1024 * 1024)}`,
        /not analysed/,
      ],
      ['deep.relay.yaml', '['.repeat(5000) + ']'.repeat(5000), /deeper than/],
      ['deep.relay.json', '['.repeat(50000) + ']'.repeat(50000), /./],
    ];
    for (const [name, text, expected] of cases) {
      const uri = ws.uriOf(name);
      const started = performance.now();
      const next = client.nextDiagnostics(uri);
      client.open(uri, text);
      const d = (await next).diagnostics;
      const ms = performance.now() - started;
      console.log(`${name}: ${d.length} finding(s) in ${ms.toFixed(0)} ms`);
      assert.ok(d.length > 0, name);
      assert.ok(
        d.some((x) => expected.test(messageOf(x))),
        `${name}: ${d.map(messageOf).join(' | ')}`,
      );
      assert.ok(ms < 10_000, `${name} took ${ms.toFixed(0)} ms`);
      client.close(uri);
    }
    await client.dispose();
  });

  test('on the lint worker, a document that takes too long gets a finding; the next one is fine', async () => {
    const client = await startTestClient({
      workspaceFolders: [ws.uri],
      worker: { timeoutMs: 500 },
    });
    let slow = EDGE.replace('          allowAuthenticated: false\n', '');
    for (let i = 0; i < 20000; i++) slow += `            - 10.${(i >> 8) & 255}.${i & 255}.0/24\n`;
    const slowUri = ws.uriOf('slow.relay.yaml');
    const started = performance.now();
    const timedOut = client.nextDiagnostics(slowUri);
    client.open(slowUri, slow);
    const [finding, ...others] = (await timedOut).diagnostics;
    const ms = performance.now() - started;
    console.log(`slow document: timeout finding after ${ms.toFixed(0)} ms`);
    assert.equal(others.length, 0);
    assert.equal(finding?.code, 'internal');
    assert.match(messageOf(finding ?? { message: '' }), /stopped analysing this file after 500 ms/);
    // Meanwhile and afterwards the server answers, and a new worker lints the next file.
    const uri = ws.write('after-slow.relay.yaml', EDGE);
    const next = client.nextDiagnostics(uri);
    client.open(uri, EDGE);
    const d = (await next).diagnostics;
    assert.ok(d.some((x) => x.code === 'RLY001') && d.some((x) => x.code === 'RLY016'));
    client.close(slowUri);
    await client.dispose();
  });

  test('memory: opening and closing documents leaves nothing behind', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    for (let round = 0; round < 2; round++) {
      const uris: string[] = [];
      for (let i = 0; i < 15; i++) uris.push(ws.uriOf(`mem/${round}-${i}.relay.yaml`));
      const last = client.nextDiagnostics(uris[uris.length - 1] ?? '');
      uris.forEach((u, i) => {
        client.open(u, EDGE.replace('SMTP-EDGE-01', `SMTP-${i}`));
      });
      await last;
      for (const u of uris) client.close(u);
      await client.sync();
      assert.deepEqual(client.server.stats(), {
        documents: 0,
        states: 0,
        scheduled: 0,
        keys: 0,
        settings: 0,
        published: 0,
      });
    }
    assert.deepEqual(client.server.status().counts, {
      critical: 0,
      high: 0,
      medium: 0,
      low: 0,
      info: 0,
    });
    await client.dispose();
  });
});
