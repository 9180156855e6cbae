import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  cliFindings,
  expectDiagnosticsLikeCli,
  fileUri,
  open,
  revertAndCloseAll,
  until,
  workspaceRoot,
} from './helpers';

/** The Postfix language id the extension gives main.cf when no other extension claims it. */
const POSTFIX_MAIN = 'postfix-main-cf';
const COPY_COMMAND = 'relayLint.copyRemediation';

function hoverText(hovers: readonly vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (c instanceof vscode.MarkdownString ? c.value : JSON.stringify(c)))
    .join('\n');
}

describe('native configurations (Postfix, IIS, Exchange)', () => {
  afterEach(revertAndCloseAll);

  it('diagnostics of the native examples match the CLI', async () => {
    const uris = await vscode.workspace.findFiles(
      'examples/**/{main.cf,master.cf,*.metabase.xml,*.exchange.json}',
    );
    const root = workspaceRoot().path;
    const rels = uris.map((u) => u.path.slice(root.length + 1)).sort();
    for (const kind of ['main.cf', 'master.cf', '.metabase.xml', '.exchange.json'])
      assert.ok(
        rels.some((r) => r.endsWith(kind)),
        `the examples hold a ${kind} (found ${rels.join(', ')})`,
      );
    const expected = await cliFindings(rels);
    let total = 0;
    for (const rel of rels) {
      const findings = (expected.get(fileUri(rel).fsPath) ?? []).filter((f) => !f.suppressed);
      await vscode.workspace.openTextDocument(fileUri(rel));
      total += (await expectDiagnosticsLikeCli(rel, findings)).length;
    }
    assert.ok(total > 0, 'the native examples have findings');
  });

  it('gives main.cf the Postfix language when no other extension claims it', async () => {
    const rel = 'examples/postfix/unsafe/main.cf';
    await open(rel);
    const key = fileUri(rel).toString();
    const language = await until(() => {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      return doc?.languageId === POSTFIX_MAIN ? doc.languageId : undefined;
    }, `${rel} gets the language ${POSTFIX_MAIN}`);
    assert.equal(language, POSTFIX_MAIN);
    // MetaBase.xml keeps the xml language: the extension selects it by name only.
    const xml = await vscode.workspace.openTextDocument(
      fileUri('examples/iis/ws2022-workaround.metabase.xml'),
    );
    assert.equal(xml.languageId, 'xml');
  });

  it('hover on mynetworks answers "may 203.0.113.7 relay here?" for each listener', async () => {
    const rel = 'examples/postfix/unsafe/main.cf';
    const doc = (await open(rel)).document;
    const offset = doc.getText().indexOf('\nmynetworks =');
    assert.ok(offset >= 0, `${rel} sets mynetworks`);
    const position = doc.positionAt(offset + 3);
    const text = await until(async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        position,
      );
      const t = hoverText(hovers);
      return t.includes('May `203.0.113.7` relay here?') ? t : undefined;
    }, 'the hover on mynetworks carries the relay answer');
    assert.match(text, /Listener `smtp`/);
    assert.match(text, /Yes: it may relay/);
  });

  it('offers to copy the Exchange command of a finding on an export', async () => {
    const rel = 'examples/exchange/unsafe-ex01.exchange.json';
    await open(rel);
    const uri = fileUri(rel);
    const withCommand = await until(() => {
      const d = vscode.languages
        .getDiagnostics(uri)
        .find((x) => x.relatedInformation?.some((r) => /^Fix on the server/.test(r.message)));
      return d;
    }, `${rel}: a finding carries its shell command`);
    const related = withCommand.relatedInformation?.find((r) =>
      /^Fix on the server/.test(r.message),
    );
    assert.ok(related);
    const command = related.message.slice(related.message.indexOf(': ') + 2);
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      uri,
      withCommand.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const copy = actions
      .filter((a): a is vscode.CodeAction => typeof a.command !== 'string')
      .find((a) => a.command?.command === COPY_COMMAND);
    assert.ok(copy, `a "Copy command" action; offered: ${actions.map((a) => a.title).join(' | ')}`);
    assert.deepEqual(copy.command?.arguments, [command]);
    assert.equal(copy.edit, undefined, 'an export is not edited');
    const registered = await vscode.commands.getCommands(true);
    assert.ok(registered.includes(COPY_COMMAND), 'the client implements the command');
  });
});
