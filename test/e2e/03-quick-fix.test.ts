import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  applyCliFix,
  cliFindingsOf,
  cliFindingsOfText,
  codeOf,
  expectDiagnosticsLikeCli,
  open,
  revertAndCloseAll,
  toVsRange,
  waitForDiagnostics,
} from './helpers';

const CASES = [
  { rule: 'RLY002', rel: 'quickfix/rly002-open-relay.relay.yaml' },
  { rule: 'RLY004', rel: 'quickfix/rly004-anonymous.relay.yaml' },
  // Native files (SPEC §7), opened by name whatever their language: Postfix's `0.0.0.0/0` in
  // mynetworks (issue 12), and IIS's RelayIpList="" with Anonymous access (issue 13).
  { rule: 'RLY011', rel: 'quickfix/postfix/main.cf' },
  { rule: 'RLY002', rel: 'quickfix/iis/MetaBase.xml' },
];

describe('quick fixes', () => {
  afterEach(revertAndCloseAll);

  for (const { rule, rel } of CASES) {
    it(`applies the preferred quick fix for ${rule} in ${rel}; text and diagnostics follow`, async () => {
      const before = await cliFindingsOf(rel);
      const finding = before.find((f) => f.ruleId === rule);
      assert.ok(finding, `the CLI reports ${rule} in ${rel}`);
      const preferred = finding.fixes.find((f) => f.preferred);
      assert.ok(preferred, `the CLI has a preferred fix for ${rule}`);
      const range = toVsRange(finding.range);

      const editor = await open(rel);
      const doc = editor.document;
      const diagnostics = await expectDiagnosticsLikeCli(rel, before);
      const diagnostic = diagnostics.find((d) => codeOf(d) === rule && d.range.isEqual(range));
      assert.ok(diagnostic, `${rule} diagnostic at the CLI's range`);

      const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        diagnostic.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      // The API returns the actions for the range without their `diagnostics`; the range is
      // the finding's own, and the title below ties the action to the CLI's fix for the rule.
      const candidates = actions
        // a Command's `command` is its id; a CodeAction's is an optional Command object
        .filter((a): a is vscode.CodeAction => typeof a.command !== 'string')
        .filter((a) => a.isPreferred === true);
      const titles = actions.map((a) => a.title).join(' | ');
      assert.equal(candidates.length, 1, `one preferred quick fix for ${rule}; offered: ${titles}`);
      const fix = candidates[0]!;
      assert.equal(fix.title, preferred.title);
      assert.ok(fix.edit, 'the quick fix carries an edit');

      const expectedText = applyCliFix(doc.getText(), preferred);
      assert.ok(await vscode.workspace.applyEdit(fix.edit), 'workspace.applyEdit succeeds');
      assert.equal(doc.getText(), expectedText, "the text is the CLI fix's result");
      assert.ok(doc.isDirty, 'unsaved: the diagnostics below come from on-type linting');

      // The fixed finding goes, and the diagnostics become the CLI's for the new text.
      await waitForDiagnostics(
        doc.uri,
        (d) => !d.some((x) => codeOf(x) === rule && x.range.isEqual(range)),
        `${rule} at ${rel} disappears`,
      );
      const after = await cliFindingsOfText(rel, expectedText);
      assert.ok(!after.some((f) => f.ruleId === rule), `the CLI no longer reports ${rule}`);
      await expectDiagnosticsLikeCli(rel, after);
    });
  }
});
