import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type CodeAction,
  type Diagnostic,
  type PublishDiagnosticsParams,
  type TextDocumentEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fixAll } from '../../server/src/core/fix/fix-all.js';
import { FIX_ALL_KIND } from '../../server/src/protocol/index.js';
import { repoRoot } from '../support/repo-root.js';
import {
  ManualTimers,
  startTestClient,
  type TempWorkspace,
  tempWorkspace,
  type TestClient,
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

/** The one versioned document edit of an action, applied to `text`. */
function applyAction(text: string, action: CodeAction, version: number): string {
  const changes = action.edit?.documentChanges;
  assert.ok(changes !== undefined && changes.length === 1, `${action.title}: one document edit`);
  const edit = changes[0] as TextDocumentEdit;
  assert.equal(edit.textDocument.version, version, 'the edit names the document version');
  const doc = TextDocument.create('file:///x', 'yaml', version, text);
  return TextDocument.applyEdits(
    doc,
    edit.edits.map((e) => ('newText' in e ? e : { range: e.range, newText: '' })),
  );
}

async function openAndLint(
  client: TestClient,
  rel: string,
  text: string,
  version = 1,
): Promise<{ uri: string; published: PublishDiagnosticsParams }> {
  const uri = ws.write(rel, text);
  const next = client.nextDiagnostics(uri);
  client.open(uri, text, version);
  return { uri, published: await next };
}

function byCode(diagnostics: Diagnostic[], code: string): Diagnostic {
  const d = diagnostics.find((x) => x.code === code);
  assert.ok(d !== undefined, `a ${code} diagnostic`);
  return d;
}

describe('language server: code actions', () => {
  test('every fix of the finding is a quick fix with a versioned edit; preferred marked', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const { uri, published } = await openAndLint(client, 'fixes.relay.yaml', EDGE, 4);
    const hostBits = byCode(published.diagnostics, 'RLY014');
    const actions = await client.codeActions(uri, hostBits.range, [hostBits]);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Use the network 192.168.1.0/24'), titles.join(' | '));
    const network = actions.find((a) => a.title === 'Use the network 192.168.1.0/24');
    assert.equal(network?.isPreferred, true);
    assert.equal(network?.kind, 'quickfix');
    assert.deepEqual(network?.diagnostics, [hostBits]);
    const single = actions.find((a) => a.title.startsWith('Use the single host'));
    assert.equal(single?.isPreferred, false);
    assert.ok(network !== undefined);
    const fixed = applyAction(EDGE, network, 4);
    assert.ok(fixed.includes('- 192.168.1.0/24') && !fixed.includes('192.168.1.10/24'));
    const docs = actions.find((a) => a.title === 'Show documentation for RLY014');
    assert.deepEqual(docs?.command, {
      title: 'Show documentation for RLY014',
      command: 'vscode.open',
      arguments: ['https://github.com/relay-lint/relay-lint/blob/main/docs/rules/RLY014.md'],
    });
    await client.dispose();
  });

  test('diagnostics of an older version get no actions', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const { uri, published } = await openAndLint(client, 'stale.relay.yaml', EDGE, 1);
    const old = byCode(published.diagnostics, 'RLY014');
    const next = client.nextDiagnostics(uri, (p) => p.version === 2);
    client.change(uri, 2, `# edited\n${EDGE}`);
    await next;
    assert.deepEqual(await client.codeActions(uri, old.range, [old]), []);
    // A diagnostic whose data does not point at a finding is ignored as well.
    const forged = { ...old, data: { version: 2, index: 9999 } };
    assert.deepEqual(await client.codeActions(uri, old.range, [forged]), []);
    await client.dispose();
  });

  test('suppress on this line: directive above, indented like the line, reason placeholder', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const { uri, published } = await openAndLint(client, 'suppress.relay.yaml', EDGE, 1);
    const broad = published.diagnostics.find(
      (d) => d.code === 'RLY010' && d.range.start.line === 14,
    );
    assert.ok(broad !== undefined);
    const actions = await client.codeActions(uri, broad.range, [broad]);
    const suppress = actions.find((a) => a.title === 'Suppress RLY010 on this line');
    assert.ok(suppress !== undefined);
    const text = applyAction(EDGE, suppress, 1);
    const lines = text.split('\n');
    assert.equal(lines[14], '            # relay-lint-disable-next-line RLY010 -- <reason>');
    assert.equal(lines[15], '            - 81.2.0.0/16');
    // The placeholder is no reason: the finding stays and the directive warns until it is written.
    const placeholder = client.nextDiagnostics(uri, (p) => p.version === 2);
    client.change(uri, 2, text);
    const withPlaceholder = await placeholder;
    assert.ok(
      withPlaceholder.diagnostics.some((d) => d.code === 'RLY010' && d.range.start.line === 15),
    );
    assert.ok(
      withPlaceholder.diagnostics.some((d) => d.code === 'RLY097' && d.range.start.line === 14),
    );
    const reasoned = text.replace('<reason>', 'partner range, OPS-112');
    const done = client.nextDiagnostics(uri, (p) => p.version === 3);
    client.change(uri, 3, reasoned);
    const after = await done;
    assert.ok(!after.diagnostics.some((d) => d.code === 'RLY010' && d.range.start.line === 15));
    await client.dispose();
  });

  test('suppress joins an existing directive on the line above', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const text = EDGE.replace(
      '            - 10.0.0.0/8\n            - 192.168.1.10/24',
      '            # relay-lint-disable-next-line RLY010 -- reviewed\n            - 10.0.0.0/8\n            - 192.168.1.10/24',
    );
    const { uri, published } = await openAndLint(client, 'join.relay.yaml', text, 1);
    const dup = published.diagnostics.find((d) => d.code === 'RLY016');
    assert.ok(dup !== undefined);
    const actions = await client.codeActions(uri, dup.range, [dup]);
    const suppress = actions.find((a) => a.title === 'Suppress RLY016 on this line');
    assert.ok(suppress !== undefined);
    assert.ok(
      applyAction(text, suppress, 1).includes(
        '# relay-lint-disable-next-line RLY010, RLY016 -- reviewed\n',
      ),
    );
    await client.dispose();
  });

  test('JSON files get no suppression action (JSON has no comments)', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const json = readFileSync(path.join(FIXTURES, 'allexcept.relay.json'), 'utf8');
    const { uri, published } = await openAndLint(client, 'nosuppress.relay.json', json);
    const d = byCode(published.diagnostics, 'RLY002');
    const actions = await client.codeActions(uri, d.range, [d]);
    assert.ok(actions.length >= 2);
    assert.ok(!actions.some((a) => a.title.startsWith('Suppress')));
    await client.dispose();
  });

  test('source.fixAll.relayLint: only when asked, only safe fixes', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const { uri, published } = await openAndLint(client, 'fixall.relay.yaml', EDGE, 7);
    const all = published.diagnostics;
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    assert.ok(!(await client.codeActions(uri, range, all)).some((a) => a.kind === FIX_ALL_KIND));
    assert.deepEqual(await client.codeActions(uri, range, [], ['quickfix']), []);
    const [action, ...rest] = await client.codeActions(uri, range, [], [FIX_ALL_KIND]);
    assert.equal(rest.length, 0);
    assert.ok(action !== undefined);
    assert.equal(action.kind, FIX_ALL_KIND);
    const fixed = applyAction(EDGE, action, 7);
    const expected = fixAll({ uri: 'fixall.relay.yaml', text: EDGE }).text;
    assert.equal(fixed, expected);
    // Safe fixes only: the duplicate, the redundant entry and the host bits go; nothing that
    // changes who may relay (anonymous access, the broad entries) is touched.
    assert.ok(fixed.includes('anonymous: true'));
    assert.ok(fixed.includes('- 10.0.0.0/8') && fixed.includes('- 81.2.0.0/16'));
    assert.equal(fixed.split('- 10.0.0.0/8').length - 1, 1);
    assert.ok(fixed.includes('- 192.168.1.0/24') && !fixed.includes('10.20.0.0/16'));
    // `source` (the Source Action menu) and `source.fixAll` (any fix-all on save) include it.
    for (const only of [['source'], ['source.fixAll']]) {
      const found = await client.codeActions(uri, range, [], only);
      assert.deepEqual(
        found.map((a) => a.kind),
        [FIX_ALL_KIND],
      );
    }
    // Nothing to fix: no action at all.
    const clean = client.nextDiagnostics(uri, (p) => p.version === 8);
    client.change(uri, 8, fixed);
    await clean;
    assert.deepEqual(await client.codeActions(uri, range, [], [FIX_ALL_KIND]), []);
    await client.dispose();
  });
  test('source.fixAll.relayLint right after typing fixes the text as it is now', async () => {
    // Saving right after typing: the edit is not linted yet (its debounce has not fired).
    const timers = new ManualTimers();
    const client = await startTestClient({ workspaceFolders: [ws.uri], timers });
    const empty = 'version: 1\nservers: []\n';
    const uri = ws.write('fixall-late.relay.yaml', empty);
    const opened = client.nextDiagnostics(uri);
    client.open(uri, empty, 1);
    await client.sync();
    timers.flush();
    await opened;
    client.change(uri, 2, EDGE);
    await client.sync();
    assert.equal(timers.pending, 1, 'the lint of version 2 is still waiting');
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const [action] = await client.codeActions(uri, range, [], [FIX_ALL_KIND]);
    assert.ok(action !== undefined, 'fix-all answers before the lint');
    assert.equal(
      applyAction(EDGE, action, 2),
      fixAll({ uri: 'fixall-late.relay.yaml', text: EDGE }).text,
    );
    await client.dispose();
  });
});
