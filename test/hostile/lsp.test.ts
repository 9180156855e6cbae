import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, PublishDiagnosticsParams, Range } from 'vscode-languageserver/node';
import { lintParsed as lint } from '../../server/src/core/engine.js';
import { parseConfig } from '../../server/src/core/parse/index.js';
import {
  ManualTimers,
  messageOf,
  startTestClient,
  type TempWorkspace,
  tempWorkspace,
  type TestClient,
} from '../lsp/harness.js';
import { randomBytes, readFixture, ruleFixtures, seeded } from '../support/hostile.js';

// Hostile input for the language server, through the real server on an in-memory pipe: every case
// ends in diagnostics that say what is wrong, with a range, or in an answer to the request; the
// server never dies and keeps serving the next document.

const EDGE = readFixture('test/lsp/fixtures/edge.relay.yaml');
const GUARD = { timeout: 60_000 };

let ws: TempWorkspace;
before(() => {
  ws = tempWorkspace();
});
after(() => {
  ws.dispose();
});

/** The text a range covers (LSP positions: 0-based lines, UTF-16 characters). */
function textAt(text: string, range: Range): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) starts.push(i + 1);
  }
  const offset = (p: Range['start']): number => (starts[p.line] ?? text.length) + p.character;
  return text.slice(offset(range.start), offset(range.end));
}

/** Opens `text` as `name` and waits for its first diagnostics. */
async function openAndWait(
  client: TestClient,
  name: string,
  text: string,
): Promise<{ uri: string; params: PublishDiagnosticsParams }> {
  const uri = ws.uriOf(name);
  const next = client.nextDiagnostics(uri);
  client.open(uri, text);
  return { uri, params: await next };
}

function codes(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => String(d.code)).sort();
}

/** Still alive: a fresh document gets its usual diagnostics. */
async function assertAlive(client: TestClient, name: string): Promise<void> {
  const { params } = await openAndWait(client, name, EDGE);
  assert.ok(codes(params.diagnostics).includes('RLY001'), 'the server still lints');
}

describe('hostile input: language server', () => {
  test(
    'random bytes, lone surrogates, duplicate keys and block nesting: diagnostics with ranges',
    GUARD,
    async () => {
      const client = await startTestClient({ workspaceFolders: [ws.uri] });
      const decoder = new TextDecoder();
      const cases: [string, string, RegExp][] = [
        ['random.relay.yaml', decoder.decode(randomBytes(3, 4096)), /binary|not valid UTF-8/],
        ['random.relay.json', decoder.decode(randomBytes(4, 4096)), /binary|not valid UTF-8/],
        ['dup.relay.yaml', 'version: 1\nservers: []\nversion: 1\n', /"version" is repeated/],
        ['block.relay.yaml', `${'- '.repeat(10_000)}x\n`, /deeper than 500/],
        ['keys.relay.yaml', `a: "x" ${']'.repeat(5000)}\n`, /more syntax errors follow/],
      ];
      for (const [name, text, expected] of cases) {
        const { uri, params } = await openAndWait(client, name, text);
        const hit = params.diagnostics.find((d) => expected.test(messageOf(d)));
        assert.ok(hit !== undefined, `${name}: ${params.diagnostics.map(messageOf).join(' | ')}`);
        assert.ok(
          params.diagnostics.length <= 101,
          `${name}: ${params.diagnostics.length} diagnostics`,
        );
        client.close(uri);
      }
      const dup = 'version: 1\nservers: []\nversion: 1\n';
      const { params } = await openAndWait(client, 'dup2.relay.yaml', dup);
      assert.equal(
        textAt(
          dup,
          params.diagnostics[0]?.range ?? {
            start: { line: 0, character: 0 },
            end: { line: 0, character: 0 },
          },
        ),
        'version',
      );
      await assertAlive(client, 'alive-1.relay.yaml');
      await client.dispose();
    },
  );

  test('a lone surrogate does not shift the ranges after it on its line', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const text = EDGE.replace('- 81.2.0.0/16', '- { note: "\uD800", address: 81.2.0.0/16 }');
    const { params } = await openAndWait(client, 'surrogate.relay.yaml', text);
    const broad = params.diagnostics.find(
      (d) => d.code === 'RLY010' && textAt(text, d.range).includes('81.2.0.0/16'),
    );
    assert.ok(
      broad !== undefined,
      params.diagnostics.map((d) => textAt(text, d.range)).join(' | '),
    );
    assert.equal(textAt(text, broad.range), '{ note: "\uD800", address: 81.2.0.0/16 }');
    await client.dispose();
  });

  test('CRLF: the same diagnostics at the same positions as LF', GUARD, async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    for (const rel of ruleFixtures('invalid').filter((_, i) => i % 8 === 0)) {
      const lf = readFixture(rel).replace(/\r\n/g, '\n');
      const crlf = lf.replace(/\n/g, '\r\n');
      const ext = rel.endsWith('.json') ? 'json' : 'yaml';
      const base = rel.replace(/[\\/.]/g, '_');
      const a = await openAndWait(client, `${base}-lf.relay.${ext}`, lf);
      const b = await openAndWait(client, `${base}-crlf.relay.${ext}`, crlf);
      const shape = (d: Diagnostic): unknown => [d.code, d.range, messageOf(d)];
      assert.deepEqual(b.params.diagnostics.map(shape), a.params.diagnostics.map(shape), rel);
      client.close(a.uri);
      client.close(b.uri);
    }
    await client.dispose();
  });

  test(
    '500 one-character edits in a burst: one lint, of the last version (debounced)',
    GUARD,
    async () => {
      const timers = new ManualTimers();
      const client = await startTestClient({ workspaceFolders: [ws.uri], timers });
      const uri = ws.uriOf('typing.relay.yaml');
      const opened = client.nextDiagnostics(uri);
      client.open(uri, EDGE, 1);
      await client.sync();
      timers.flush();
      await opened;
      const before = client.published.length;
      // Type a comment at the end of the file, one character per version.
      const line = EDGE.split('\n').length - 1;
      let text = EDGE;
      const next = seeded(11);
      for (let v = 2; v <= 501; v++) {
        const ch = String.fromCharCode(97 + Math.floor(next() * 26));
        const insert = v === 2 ? '#' : ch;
        const character = text.length - text.lastIndexOf('\n') - 1;
        client.changeIncremental(uri, v, [
          { range: { start: { line, character }, end: { line, character } }, text: insert },
        ]);
        text += insert;
      }
      await client.sync();
      assert.equal(timers.pending, 1, 'one pending lint for the whole burst');
      const last = client.nextDiagnostics(uri);
      timers.flush();
      const published = await last;
      await client.sync();
      assert.deepEqual(
        client.published.slice(before).map((p) => p.version),
        [501],
      );
      const expected = lint(parseConfig(uri, text)).filter((f) => !f.suppressed);
      assert.deepEqual(codes(published.diagnostics), expected.map((f) => f.ruleId).sort());
      await client.dispose();
    },
  );

  test(
    '500 edits in a burst with no debounce: publishes in order, the last one right',
    GUARD,
    async () => {
      const client = await startTestClient({ workspaceFolders: [ws.uri] });
      const uri = ws.uriOf('burst.relay.yaml');
      const opened = client.nextDiagnostics(uri);
      client.open(uri, EDGE, 1);
      await opened;
      const before = client.published.length;
      let text = EDGE;
      for (let v = 2; v <= 501; v++) {
        // Alternate between a broad and a narrow entry, as a user undoing and redoing would.
        text = v % 2 === 0 ? EDGE.replace('81.2.0.0/16', '81.2.0.1') : EDGE;
        client.change(uri, v, text);
      }
      const final = await client.nextDiagnostics(uri, (p) => p.version === 501);
      await client.sync();
      const versions = client.published.slice(before).map((p) => p.version ?? 0);
      assert.deepEqual(
        versions,
        [...versions].sort((a, b) => a - b),
        'never an older version after a newer one',
      );
      const expected = lint(parseConfig(uri, text)).filter((f) => !f.suppressed);
      assert.deepEqual(codes(final.diagnostics), expected.map((f) => f.ruleId).sort());
      await client.dispose();
    },
  );

  test('closing unknown documents, changing closed ones, opening twice: the server lives on', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    client.close(ws.uriOf('never-opened.relay.yaml'));
    client.close('not a uri at all');
    client.changeIncremental(ws.uriOf('never-opened.relay.yaml'), 3, [
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' },
    ]);
    const { uri } = await openAndWait(client, 'twice.relay.yaml', EDGE);
    const again = client.nextDiagnostics(uri);
    client.open(uri, 'version: 1\nservers: []\n', 7);
    assert.deepEqual((await again).diagnostics, []);
    client.close(uri);
    client.close(uri);
    await client.sync();
    assert.equal(client.server.stats().documents, 0);
    await assertAlive(client, 'alive-2.relay.yaml');
    await client.dispose();
  });

  test(
    'malformed request parameters on an open document: answered, never fatal',
    GUARD,
    async () => {
      const client = await startTestClient({ workspaceFolders: [ws.uri] });
      const { uri, params } = await openAndWait(client, 'target.relay.yaml', EDGE);
      const c = client.connection;
      const far = { line: 1e9, character: 1e9 };
      const negative = { line: -5, character: -1 };
      const attempts: Promise<unknown>[] = [
        c.sendRequest('textDocument/hover', { textDocument: { uri }, position: far }),
        c.sendRequest('textDocument/hover', { textDocument: { uri }, position: negative }),
        c.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 'x' } }),
        c.sendRequest('textDocument/completion', { textDocument: { uri }, position: far }),
        c.sendRequest('textDocument/completion', { textDocument: { uri }, position: null }),
        c.sendRequest('textDocument/codeAction', {
          textDocument: { uri },
          range: { start: far, end: negative },
          context: { diagnostics: params.diagnostics },
        }),
        c.sendRequest('textDocument/codeAction', {
          textDocument: { uri },
          range: null,
          context: { diagnostics: [{ data: 'garbage', range: 7 }, null] },
        }),
        c.sendRequest('textDocument/codeAction', {
          textDocument: { uri },
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          context: {
            diagnostics: params.diagnostics.map((d) => ({
              ...d,
              data: { version: -1, index: 1e6 },
            })),
            only: 42,
          },
        }),
        c.sendRequest('relayLint/audit', { uris: 'everything' }),
        c.sendRequest('relayLint/audit', null),
        c.sendRequest('workspace/executeCommand', {
          command: 'relayLint.nothing',
          arguments: [{}],
        }),
      ];
      const settled = await Promise.allSettled(attempts);
      for (const s of settled) {
        // An error answer is fine (it names the problem); a missing answer would hang here.
        if (s.status === 'rejected') assert.ok(s.reason instanceof Error);
      }
      // Edits with ranges outside the document are refused (logged; test/lsp/hardening.test.ts),
      // never fatal.
      client.changeIncremental(uri, 2, [
        { range: { start: far, end: far }, text: '\n# appended far away\n' },
        { range: { start: negative, end: negative }, text: '# prepended\n' },
      ]);
      await client.sync();
      await assertAlive(client, 'alive-3.relay.yaml');
      await client.dispose();
    },
  );
});
