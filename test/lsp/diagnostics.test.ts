import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DiagnosticTag,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { FIX_ALL_KIND } from '../../server/src/protocol/index.js';
import { repoRoot } from '../support/repo-root.js';
import {
  ManualTimers,
  messageOf,
  startTestClient,
  type TempWorkspace,
  tempWorkspace,
} from './harness.js';

const FIXTURES = path.join(repoRoot(), 'test', 'lsp', 'fixtures');
const EDGE = readFileSync(path.join(FIXTURES, 'edge.relay.yaml'), 'utf8');

let ws: TempWorkspace;
before(() => {
  ws = tempWorkspace();
});
after(() => {
  ws.dispose();
});

describe('language server: diagnostics', () => {
  test('initialize declares incremental sync, code action kinds, hover and completion', async () => {
    const client = await startTestClient();
    const caps = client.initializeResult.capabilities;
    const sync = caps.textDocumentSync;
    assert.equal(typeof sync === 'object' ? sync.change : sync, TextDocumentSyncKind.Incremental);
    assert.equal(typeof sync === 'object' ? sync.openClose : false, true);
    const actions = caps.codeActionProvider;
    assert.ok(typeof actions === 'object');
    assert.deepEqual(actions.codeActionKinds, [CodeActionKind.QuickFix, FIX_ALL_KIND]);
    assert.equal(caps.hoverProvider, true);
    assert.ok(caps.completionProvider !== undefined);
    await client.dispose();
  });

  test('open → diagnostics with code, documentation link, data, related locations and tags', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const uri = ws.write('a/edge.relay.yaml', EDGE);
    const started = performance.now();
    const next = client.nextDiagnostics(uri);
    client.open(uri, EDGE, 3);
    const published = await next;
    const cold = performance.now() - started;
    // Once warm (the schema validator compiled), an open is what a user feels on every file.
    const again = ws.write('a/edge-again.relay.yaml', EDGE);
    const warmStart = performance.now();
    const warmNext = client.nextDiagnostics(again);
    client.open(again, EDGE);
    await warmNext;
    const warm = performance.now() - warmStart;
    console.log(`open → diagnostics: ${cold.toFixed(1)} ms cold, ${warm.toFixed(1)} ms warm`);
    assert.equal(published.version, 3);
    const d = published.diagnostics;
    assert.ok(d.length >= 5, 'several findings');
    for (const x of d) {
      assert.equal(x.source, 'relay-lint');
      assert.match(String(x.code), /^RLY\d{3}$/);
      assert.equal(
        x.codeDescription?.href,
        `https://github.com/relay-lint/relay-lint/blob/main/docs/rules/${String(x.code)}.md`,
      );
      const data = x.data as { version: number; index: number };
      assert.equal(data.version, 3);
      assert.ok(Number.isInteger(data.index));
    }
    const open = d.find((x) => x.code === 'RLY001');
    assert.ok(open !== undefined);
    assert.equal(open.severity, DiagnosticSeverity.Error);
    // The finding's range is the listener's `relay` key, not the whole line.
    assert.deepEqual(open.range, {
      start: { line: 10, character: 8 },
      end: { line: 10, character: 13 },
    });
    assert.ok((open.relatedInformation ?? []).length > 0);
    for (const r of open.relatedInformation ?? []) assert.equal(r.location.uri, uri);
    const duplicate = d.find((x) => x.code === 'RLY016');
    assert.ok(duplicate !== undefined, 'duplicate entry');
    assert.deepEqual(duplicate.tags, [DiagnosticTag.Unnecessary]);
    assert.equal(duplicate.severity, DiagnosticSeverity.Hint);
    const anonymous = d.find((x) => x.code === 'RLY004');
    assert.equal(anonymous?.severity, DiagnosticSeverity.Warning);
    await client.dispose();
  });

  test('rapid edits: one publish, for the latest version only', async () => {
    const timers = new ManualTimers();
    const client = await startTestClient({ workspaceFolders: [ws.uri], timers });
    const uri = ws.write('rapid.relay.yaml', EDGE);
    const first = client.nextDiagnostics(uri);
    client.open(uri, EDGE, 1);
    await client.sync();
    timers.flush();
    await first;
    const before = client.published.length;
    // Each version narrows the list a little more; version 10 has no broad entry left.
    let text = EDGE;
    for (let v = 2; v <= 10; v++) {
      text = v === 10 ? text.replace(/- 10\.0\.0\.0\/8/g, '- 10.0.0.1') : text + `# edit ${v}\n`;
      client.change(uri, v, text);
    }
    await client.sync();
    assert.equal(timers.pending, 1, 'the debounce keeps one pending lint');
    const last = client.nextDiagnostics(uri);
    timers.flush();
    const published = await last;
    await client.sync();
    const after = client.published.slice(before).filter((p) => p.uri === uri);
    assert.deepEqual(
      after.map((p) => p.version),
      [10],
    );
    assert.ok(!published.diagnostics.some((d) => messageOf(d).includes('10.0.0.0/8')));
    await client.dispose();
  });

  test('every publish is computed from the text of the version it names (debounce 0)', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const uri = ws.write('burst.relay.yaml', EDGE);
    const first = client.nextDiagnostics(uri);
    client.open(uri, EDGE, 1);
    await first;
    const texts = new Map<number, string>([[1, EDGE]]);
    for (let v = 2; v <= 20; v++) {
      const t = v % 2 === 0 ? EDGE.replace('81.2.0.0/16', '81.2.0.1') : EDGE;
      texts.set(v, t);
      client.change(uri, v, t);
    }
    const final = client.nextDiagnostics(uri, (p) => p.version === 20);
    await final;
    const mine = client.published.filter((p) => p.uri === uri);
    let previous = 0;
    for (const p of mine) {
      assert.ok((p.version ?? 0) >= previous, 'versions never go back');
      previous = p.version ?? 0;
      const broad = p.diagnostics.some((d) => messageOf(d).includes('81.2.0.0/16'));
      assert.equal(broad, (texts.get(p.version ?? 0) ?? '').includes('81.2.0.0/16'));
    }
    await client.dispose();
  });

  test('a change arriving while a lint waits for settings supersedes it', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const uri = ws.write('supersede.relay.yaml', EDGE);
    const fixed = EDGE.replace('anonymous: true', 'anonymous: false');
    // The lint of version 1 asks for settings; version 2 arrives before the answer.
    client.beforeConfigurationAnswer = async () => {
      client.beforeConfigurationAnswer = undefined;
      client.change(uri, 2, fixed);
      await client.sync();
    };
    const next = client.nextDiagnostics(uri);
    client.open(uri, EDGE, 1);
    const first = await next;
    assert.equal(first.version, 2, 'nothing is published for version 1');
    assert.ok(!first.diagnostics.some((d) => d.code === 'RLY004'));
    await client.sync();
    assert.ok(client.published.every((p) => p.uri !== uri || p.version === 2));
    await client.dispose();
  });

  test('files outside the globs are not linted; closing clears and forgets', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const other = ws.write('notes/other.yaml', EDGE);
    client.open(other, EDGE);
    const uri = ws.write('closing.relay.yaml', EDGE);
    const next = client.nextDiagnostics(uri);
    client.open(uri, EDGE);
    await next;
    assert.ok(!client.published.some((p) => p.uri === other), 'other.yaml is no relay file');
    const cleared = client.nextDiagnostics(uri);
    client.close(uri);
    client.close(other);
    client.close(ws.uriOf('never-opened.relay.yaml'));
    assert.deepEqual((await cleared).diagnostics, []);
    await client.sync();
    const stats = client.server.stats();
    assert.deepEqual(
      { ...stats, documents: stats.documents },
      { documents: 0, states: 0, scheduled: 0, keys: 0, settings: 0, published: 0 },
    );
    await client.dispose();
  });

  test('relayLint/status carries the counts of shown findings', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const uri = ws.write('status.relay.json', '');
    const text = readFileSync(path.join(FIXTURES, 'allexcept.relay.json'), 'utf8');
    const status = client.nextStatus((s) => s.files === 1);
    client.open(uri, text);
    const s = await status;
    assert.ok(s.counts.critical >= 2);
    assert.equal(s.counts.medium, 1);
    const cleared = client.nextStatus((x) => x.files === 0);
    client.close(uri);
    assert.equal((await cleared).counts.critical, 0);
    await client.dispose();
  });
});
