import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  cliFindingsOf,
  cliFindingsOfText,
  cliFixedText,
  expectDiagnosticsLikeCli,
  open,
  revertAndCloseAll,
  until,
} from './helpers';

const REL = 'fixall/safe-and-unsafe.relay.yaml';
const SAFE_RULES = ['RLY014', 'RLY016', 'RLY022'];

describe('fix all on save (source.fixAll.relayLint)', () => {
  const editorConfig = (): vscode.WorkspaceConfiguration =>
    vscode.workspace.getConfiguration('editor');

  before(async () => {
    await editorConfig().update(
      'codeActionsOnSave',
      { 'source.fixAll.relayLint': 'explicit' },
      vscode.ConfigurationTarget.Workspace,
    );
  });
  after(async () => {
    await revertAndCloseAll();
    await editorConfig().update(
      'codeActionsOnSave',
      undefined,
      vscode.ConfigurationTarget.Workspace,
    );
  });

  it('applies the safe fixes only', async () => {
    const before = cliFindingsOf(REL);
    const rules = new Set(before.map((f) => f.ruleId));
    for (const r of SAFE_RULES) assert.ok(rules.has(r), `the fixture has ${r}`);
    const unsafe = before.filter((f) => f.fixes.length > 0 && !f.fixes.some((x) => x.safe));
    assert.ok(unsafe.length > 0, 'the fixture has findings whose fixes are not safe');

    const editor = await open(REL);
    const doc = editor.document;
    await expectDiagnosticsLikeCli(REL, before);
    // A real edit, so the save is the usual save of a changed file.
    const marker = '# edited by the e2e test\n';
    assert.ok(
      await editor.edit((b) => {
        b.insert(new vscode.Position(0, 0), marker);
      }),
    );
    const edited = doc.getText();
    const expected = cliFixedText(REL, edited);
    assert.notEqual(expected, edited, 'the CLI --fix changes the file');

    await vscode.commands.executeCommand('workbench.action.files.save');
    await until(() => (doc.isDirty ? undefined : true), 'the file is saved');
    assert.equal(doc.getText(), expected, 'the saved text is what `relay-lint --fix` makes of it');

    const after = cliFindingsOfText(REL, expected);
    const left = new Set(after.map((f) => f.ruleId));
    for (const r of SAFE_RULES) assert.ok(!left.has(r), `${r} is fixed`);
    // Findings whose fixes are not safe stay, for a person to decide.
    for (const f of unsafe) assert.ok(left.has(f.ruleId), `${f.ruleId} is left alone`);
    await expectDiagnosticsLikeCli(REL, after);
  });
});
