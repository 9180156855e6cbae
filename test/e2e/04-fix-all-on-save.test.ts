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

const SAFE_RULES = ['RLY014', 'RLY016', 'RLY022'];

describe('fix all on save (source.fixAll.relayLint)', () => {
  const editorConfig = (): vscode.WorkspaceConfiguration =>
    vscode.workspace.getConfiguration('editor');

  before(async () => {
    const value = { 'source.fixAll.relayLint': 'explicit' };
    await editorConfig().update('codeActionsOnSave', value, vscode.ConfigurationTarget.Workspace);
    // update() resolves once .vscode/settings.json is written; the workbench, which runs the
    // save participants, reads it back later. The extension host's view comes from the workbench.
    await until(
      () =>
        JSON.stringify(editorConfig().inspect('codeActionsOnSave')?.workspaceValue) ===
        JSON.stringify(value)
          ? true
          : undefined,
      'the workbench has the codeActionsOnSave setting',
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

  /**
   * Opens `rel`, types a comment line and saves with the file's own save command (an explicit
   * save, as Ctrl+S). `settle`: wait until the diagnostics show the typed text before saving.
   */
  async function typeAndSave(rel: string, settle: boolean): Promise<void> {
    const before = await cliFindingsOf(rel);
    const rules = new Set(before.map((f) => f.ruleId));
    for (const r of SAFE_RULES) assert.ok(rules.has(r), `the fixture has ${r}`);
    const unsafe = before.filter((f) => f.fixes.length > 0 && !f.fixes.some((x) => x.safe));
    assert.ok(unsafe.length > 0, 'the fixture has findings whose fixes are not safe');

    const editor = await open(rel);
    const doc = editor.document;
    await expectDiagnosticsLikeCli(rel, before);
    const typed = `# edited by the e2e test\n${doc.getText()}`;
    const [expected, typedFindings] = await Promise.all([
      cliFixedText(rel, typed),
      cliFindingsOfText(rel, typed),
    ]);
    assert.notEqual(expected, typed, 'the CLI --fix changes the file');

    assert.ok(
      await editor.edit((b) => {
        b.insert(new vscode.Position(0, 0), '# edited by the e2e test\n');
      }),
    );
    assert.equal(doc.getText(), typed);
    if (settle) await expectDiagnosticsLikeCli(rel, typedFindings);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await until(() => (doc.isDirty ? undefined : true), 'the file is saved');
    assert.equal(doc.getText(), expected, 'the saved text is what `relay-lint --fix` makes of it');

    const after = await cliFindingsOfText(rel, expected);
    const left = new Set(after.map((f) => f.ruleId));
    for (const r of SAFE_RULES) assert.ok(!left.has(r), `${r} is fixed`);
    // Findings whose fixes are not safe stay, for a person to decide.
    for (const f of unsafe) assert.ok(left.has(f.ruleId), `${f.ruleId} is left alone`);
    await expectDiagnosticsLikeCli(rel, after);
  }

  it('applies the safe fixes only', async () => {
    await typeAndSave('fixall/safe-and-unsafe.relay.yaml', true);
  });

  // Regression: fix-all used to wait for the lint of the newest version (the server lints
  // ~150 ms after a change), so a save right after typing got no fixes.
  it('applies them too when the file is saved right after typing', async () => {
    await typeAndSave('fixall/saved-right-after-typing.relay.yaml', false);
  });
});
