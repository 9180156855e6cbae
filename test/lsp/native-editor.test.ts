import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type {
  CodeAction,
  Diagnostic,
  Hover,
  PublishDiagnosticsParams,
  TextDocumentEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { nativeFormatForPath } from '../../server/src/core/formats/index.js';
import { lintSource } from '../../server/src/core/lint-source.js';
import { REMEDIATION_LABEL } from '../../server/src/lsp/diagnostics.js';
import { UNTRUSTED_CLIENT } from '../../server/src/lsp/native-hover.js';
import { COPY_REMEDIATION_COMMAND } from '../../server/src/protocol/index.js';
import { repoRoot } from '../support/repo-root.js';
import {
  positionOf,
  startTestClient,
  type TempWorkspace,
  tempWorkspace,
  type TestClient,
} from './harness.js';

// The editor on native files (SPEC §7): the language server lints main.cf, master.cf,
// MetaBase.xml and Exchange exports through the one lint path, and hover, code actions and
// completion speak their formats. The inputs are the project's own examples; what is expected of
// them comes from lintSource on the same text, except the facts the issues fix (the open relay at
// `0.0.0.0/0`, RLY002 at `RelayIpList=""`, an Exchange command to copy).

const EXAMPLES = path.join(repoRoot(), 'examples');
const read = (rel: string): string => readFileSync(path.join(EXAMPLES, rel), 'utf8');
const MAIN_CF = read('postfix/unsafe/main.cf');
const MASTER_CF = read('postfix/unsafe/master.cf');
const METABASE = read('iis/ws2022-workaround.metabase.xml');
const EXCHANGE = read('exchange/unsafe-ex01.exchange.json');
/** The open `mynetworks` item of the unsafe main.cf (its comment names it too). */
const ITEM = ' 0.0.0.0/0,';

let ws: TempWorkspace;
let client: TestClient;
before(async () => {
  ws = tempWorkspace();
  // master.cf is on disk before anything opens: main.cf reads it as its sibling.
  ws.write('pf/master.cf', MASTER_CF);
  client = await startTestClient({ workspaceFolders: [ws.uri] });
});
after(async () => {
  await client.dispose();
  ws.dispose();
});

async function opened(
  rel: string,
  text: string,
  languageId: string,
): Promise<PublishDiagnosticsParams> {
  const uri = ws.write(rel, text);
  const next = client.nextDiagnostics(uri);
  client.open(uri, text, 1, languageId);
  return next;
}

/** What the CLI's lint path finds in the same file (unsuppressed), as code@line:character. */
function expected(rel: string, text: string): string[] {
  const file = path.join(ws.dir, rel);
  const { file: parsed, findings } = lintSource({
    uri: file,
    text,
    siblings: {
      read: (name) => {
        try {
          return readFileSync(path.join(path.dirname(file), name), 'utf8');
        } catch {
          return undefined;
        }
      },
    },
  });
  const doc = TextDocument.create('file:///x', 'x', 1, parsed.text);
  return findings
    .filter((f) => !f.suppressed)
    .map((f) => {
      const p = doc.positionAt(f.span.start);
      return `${f.ruleId}@${p.line}:${p.character}`;
    })
    .sort();
}

function described(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics
    .map((d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}`)
    .sort();
}

function at(
  diagnostics: readonly Diagnostic[],
  code: string,
  text: string,
  needle: string,
  delta = 0,
): Diagnostic {
  const pos = positionOf(text, needle, delta);
  const d = diagnostics.find(
    (x) =>
      x.code === code &&
      x.range.start.line === pos.line &&
      x.range.start.character === pos.character,
  );
  assert.ok(d !== undefined, `${code} at "${needle}"; got ${described(diagnostics).join(' ')}`);
  return d;
}

function applyAction(text: string, action: CodeAction): string {
  const change = action.edit?.documentChanges?.[0] as TextDocumentEdit | undefined;
  assert.ok(change !== undefined, `${action.title} carries an edit`);
  const doc = TextDocument.create('file:///x', 'x', 1, text);
  return TextDocument.applyEdits(
    doc,
    change.edits.map((e) => ('newText' in e ? e : { range: e.range, newText: '' })),
  );
}

function hoverText(h: Hover | null): string {
  assert.ok(h !== null, 'a hover');
  const c = h.contents;
  assert.ok(typeof c === 'object' && 'kind' in c && c.kind === 'markdown', 'markdown');
  return c.value;
}

describe('native files in the language server', () => {
  test('the formats are registered (main.cf, master.cf, MetaBase.xml, *.exchange.json)', () => {
    for (const name of ['main.cf', 'master.cf', 'MetaBase.xml', 'ex.exchange.json'])
      assert.ok(nativeFormatForPath(`/w/${name}`) !== undefined, `${name} has a format`);
  });

  test('main.cf: the diagnostics are the lint path’s, the open relay at its mynetworks item', async () => {
    const published = await opened('pf/main.cf', MAIN_CF, 'plaintext');
    assert.deepEqual(described(published.diagnostics), expected('pf/main.cf', MAIN_CF));
    const open = at(published.diagnostics, 'RLY001', MAIN_CF, ITEM, 1);
    assert.equal(open.severity, 1, 'critical is an error');
    assert.match(open.codeDescription?.href ?? '', /RLY001\.md$/);
  });

  test('main.cf: "Suppress" writes a # directive above the line; with a reason it suppresses', async () => {
    const uri = ws.uriOf('pf/main.cf');
    const diagnostics = client.published.filter((p) => p.uri === uri).at(-1)?.diagnostics ?? [];
    const open = at(diagnostics, 'RLY001', MAIN_CF, ITEM, 1);
    const actions = await client.codeActions(uri, open.range, [open]);
    const suppress = actions.find((a) => a.title === 'Suppress RLY001 on this line');
    assert.ok(suppress !== undefined, actions.map((a) => a.title).join(' | '));
    const written = applyAction(MAIN_CF, suppress);
    assert.ok(
      written.includes('\n    # relay-lint-disable-next-line RLY001 -- <reason>\n    0.0.0.0/0,'),
      'indented like the line it suppresses',
    );
    const reasoned = written.replace('<reason>', 'lab network, OPS-1');
    const next = client.nextDiagnostics(uri);
    client.change(uri, 2, reasoned);
    const after = (await next).diagnostics;
    assert.deepEqual(described(after), expected('pf/main.cf', reasoned));
    const line = positionOf(reasoned, ITEM, 1).line;
    assert.ok(!after.some((d) => d.code === 'RLY001' && d.range.start.line === line));
    assert.ok(!after.some((d) => d.code === 'RLY097'), 'the directive has a reason');
    // Back to the example's text for the tests below.
    const restored = client.nextDiagnostics(uri);
    client.change(uri, 3, MAIN_CF);
    await restored;
  });

  test('main.cf: hover on mynetworks answers for 203.0.113.7 on every listener', async () => {
    const uri = ws.uriOf('pf/main.cf');
    const text = hoverText(await client.hover(uri, positionOf(MAIN_CF, 'mynetworks =', 2)));
    assert.match(text, /\*\*`mynetworks`\*\* — Clients trusted by `permit_mynetworks`/);
    assert.ok(text.includes(`May \`${UNTRUSTED_CLIENT}\` relay here?`), text);
    assert.match(text, /\*\*Listener `smtp`\*\*/);
    assert.match(text, /\*\*Listener `submission`\*\*/);
    assert.match(text, /Yes: it may relay/);
    assert.match(text, /of them are untrusted/);
    const entry = hoverText(await client.hover(uri, positionOf(MAIN_CF, ITEM, 3)));
    assert.match(entry, /`0\.0\.0\.0\/0`\*\* — 4,294,967,296 addresses/);
    const restriction = hoverText(
      await client.hover(uri, positionOf(MAIN_CF, 'reject_unauth_destination', 3)),
    );
    assert.match(restriction, /\*\*`reject_unauth_destination`\*\* — The relay guard/);
  });

  test('hover answers too when the lint ran on the worker thread (a cloned parse)', async () => {
    const worker = await startTestClient({
      workspaceFolders: [ws.uri],
      worker: { timeoutMs: 30_000 },
    });
    try {
      for (const [rel, text, needle, listener] of [
        ['pf/main.cf', MAIN_CF, 'mynetworks =', 'smtp'],
        ['ex/ex01.exchange.json', EXCHANGE, '"Anonymous Relay"', 'Anonymous Relay'],
      ] as const) {
        const uri = ws.write(rel, text);
        const next = worker.nextDiagnostics(uri);
        worker.open(uri, text, 1, 'plaintext');
        await next;
        const hover = hoverText(await worker.hover(uri, positionOf(text, needle, 3)));
        assert.ok(hover.includes(`**Listener \`${listener}\`**`), hover);
        assert.ok(hover.includes(`May \`${UNTRUSTED_CLIENT}\` relay here?`), `${rel}: ${hover}`);
      }
    } finally {
      await worker.dispose();
    }
  });

  test('main.cf: completion of parameter and restriction names', async () => {
    const uri = ws.uriOf('pf/main.cf');
    const names = await client.completion(uri, { line: 0, character: 0 });
    assert.ok(names.some((i) => i.label === 'smtpd_tls_auth_only'));
    const inList = await client.completion(uri, positionOf(MAIN_CF, 'permit_mynetworks', 6));
    assert.ok(inList.some((i) => i.label === 'permit_sasl_authenticated'));
  });

  test('master.cf: hover on an smtpd service answers for that listener', async () => {
    await opened('pf/master.cf', MASTER_CF, 'plaintext');
    const uri = ws.uriOf('pf/master.cf');
    const text = hoverText(await client.hover(uri, positionOf(MASTER_CF, 'submission inet', 3)));
    assert.match(text, /\*\*Listener `submission`\*\*/);
    assert.ok(!text.includes('**Listener `smtp`**'), 'only the service hovered');
    assert.ok(text.includes(`May \`${UNTRUSTED_CLIENT}\` relay here?`));
    const other = await client.hover(uri, positionOf(MASTER_CF, 'pickup    unix', 2));
    assert.equal(other, null, 'not an smtpd service: no hover');
  });

  test('MetaBase.xml: RLY002 at RelayIpList="", its preferred fix removes it', async () => {
    const published = await opened('iis/MetaBase.xml', METABASE, 'xml');
    assert.deepEqual(described(published.diagnostics), expected('iis/MetaBase.xml', METABASE));
    const needle = 'RelayIpList=""\n';
    const rly002 = at(published.diagnostics, 'RLY002', METABASE, needle);
    const uri = ws.uriOf('iis/MetaBase.xml');
    const actions = await client.codeActions(uri, rly002.range, [rly002]);
    const preferred = actions.filter((a) => a.isPreferred === true);
    assert.equal(preferred.length, 1, actions.map((a) => a.title).join(' | '));
    const [fix] = preferred;
    assert.ok(fix !== undefined);
    const fixed = applyAction(METABASE, fix);
    assert.ok(!fixed.includes(needle), 'the attribute was rewritten');
    const next = client.nextDiagnostics(uri);
    client.change(uri, 2, fixed);
    const after = (await next).diagnostics;
    const line = rly002.range.start.line;
    assert.ok(!after.some((d) => d.code === 'RLY002' && d.range.start.line === line));
    assert.deepEqual(described(after), expected('iis/MetaBase.xml', fixed));
  });

  test('MetaBase.xml: hover on RelayIpList shows the decoded list, its mode and the answer', async () => {
    const uri = ws.uriOf('iis/MetaBase.xml');
    const blob = hoverText(await client.hover(uri, positionOf(METABASE, 'RelayIpList="1800', 16)));
    assert.match(
      blob,
      /Relay restrictions \(`RelayIpList`\)\*\* of `Application relay`: Only the list below/,
    );
    assert.match(blob, /`10\.0\.0\.0\/255\.0\.0\.0` — 16,777,216 IPv4 addresses/);
    assert.ok(blob.includes(`May \`${UNTRUSTED_CLIENT}\` relay here?`));
  });

  test('MetaBase.xml: "Suppress" writes an XML comment above a tag line; with a reason it suppresses', async () => {
    const published = await opened('iis2/MetaBase.xml', METABASE, 'xml');
    const uri = ws.uriOf('iis2/MetaBase.xml');
    const tag = '<IIsSmtpServer\tLocation ="/LM/SmtpSvc/1"';
    const line = positionOf(METABASE, tag).line;
    const onTag = published.diagnostics.find((d) => d.range.start.line === line);
    assert.ok(
      onTag !== undefined,
      `a finding on the tag line: ${described(published.diagnostics).join(' ')}`,
    );
    const code = String(onTag.code);
    // An attribute line takes no comment: no suppression offered there.
    const attr = at(published.diagnostics, 'RLY002', METABASE, 'RelayIpList=""\n');
    const attrActions = await client.codeActions(uri, attr.range, [attr]);
    assert.ok(attrActions.length > 0, 'the attribute has actions (its fixes)');
    assert.ok(!attrActions.some((a) => a.title.startsWith('Suppress')));
    const actions = await client.codeActions(uri, onTag.range, [onTag]);
    const suppress = actions.find((a) => a.title === `Suppress ${code} on this line`);
    assert.ok(suppress !== undefined, actions.map((a) => a.title).join(' | '));
    const written = applyAction(METABASE, suppress);
    assert.ok(
      written.includes(`<!-- relay-lint-disable-next-line ${code} - <reason> -->\n${tag}`),
      'an XML comment, ` - ` before the reason',
    );
    const reasoned = written.replace('<reason>', 'relay for the app servers only');
    const next = client.nextDiagnostics(uri);
    client.change(uri, 2, reasoned);
    const after = (await next).diagnostics;
    assert.deepEqual(described(after), expected('iis2/MetaBase.xml', reasoned));
    assert.ok(!after.some((d) => d.code === code && d.range.start.line === line + 1));
    assert.ok(!after.some((d) => d.code === 'RLY097'), 'the directive has a reason');
  });

  test('Exchange export: the command is in the related information and offered to copy', async () => {
    const published = await opened('ex/ex01.exchange.json', EXCHANGE, 'json');
    assert.deepEqual(described(published.diagnostics), expected('ex/ex01.exchange.json', EXCHANGE));
    const withCommand = published.diagnostics.filter((d) =>
      d.relatedInformation?.some((r) => r.message.startsWith(REMEDIATION_LABEL)),
    );
    assert.ok(withCommand.length > 0, 'findings carry their command');
    const d = withCommand[0];
    assert.ok(d !== undefined);
    const command = d.relatedInformation
      ?.find((r) => r.message.startsWith(REMEDIATION_LABEL))
      ?.message.slice(REMEDIATION_LABEL.length);
    assert.ok(command !== undefined && /^(Set|Remove|Add|New)-\w+ /.test(command), command);
    const uri = ws.uriOf('ex/ex01.exchange.json');
    const actions = await client.codeActions(uri, d.range, [d]);
    const copy = actions.find((a) => a.command?.command === COPY_REMEDIATION_COMMAND);
    assert.ok(copy !== undefined, actions.map((a) => a.title).join(' | '));
    assert.deepEqual(copy.command?.arguments, [command]);
    assert.equal(copy.edit, undefined, 'no text edit to an export');
    assert.ok(!actions.some((a) => a.title.startsWith('Suppress')), 'JSON has no comments');
    const range = hoverText(
      await client.hover(uri, positionOf(EXCHANGE, '0.0.0.0-255.255.255.255', 3)),
    );
    assert.match(range, /4,294,967,296/);
  });
});
