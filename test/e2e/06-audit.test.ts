import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  cliFindings,
  expectDiagnosticsLikeCli,
  fileUri,
  relayDiagnostics,
  until,
  workspaceRoot,
} from './helpers';

const COMMAND = 'relayLint.auditWorkspace';

function isOpen(uri: vscode.Uri): boolean {
  return vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
}

describe('workspace audit', () => {
  it('fills the diagnostics of files that were never opened', async () => {
    const root = workspaceRoot().path;
    const uris = await vscode.workspace.findFiles('audit/**/*.relay.{yaml,yml,json}');
    const rels = uris.map((u) => u.path.slice(root.length + 1)).sort();
    assert.ok(rels.length >= 2, `the fixture has files for the audit (${rels.join(', ')})`);
    for (const rel of rels) {
      assert.ok(!isOpen(fileUri(rel)), `${rel} was never opened`);
      assert.equal(relayDiagnostics(fileUri(rel)).length, 0, `${rel} has no diagnostics yet`);
    }
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes(COMMAND), `${COMMAND} is registered`);
    const expected = await cliFindings(rels);

    // The command ends when its summary notification (which offers to save the report) is
    // dismissed: run it, check the diagnostics it fills, then dismiss the notification.
    let outcome: { error: unknown } | undefined;
    vscode.commands.executeCommand(COMMAND).then(
      () => (outcome = { error: undefined }),
      (error: unknown) => (outcome = { error }),
    );
    for (const rel of rels) {
      const findings = (expected.get(fileUri(rel).fsPath) ?? []).filter((f) => !f.suppressed);
      assert.ok(findings.length > 0, `the CLI has findings for ${rel}`);
      await expectDiagnosticsLikeCli(rel, findings);
      assert.ok(!isOpen(fileUri(rel)), `${rel} is still not open`);
    }
    const done = await until(async () => {
      if (outcome !== undefined) return outcome;
      await vscode.commands.executeCommand('notifications.clearAll');
      return undefined;
    }, 'the audit command returns once its notification is dismissed');
    assert.equal(done.error, undefined, 'the audit command succeeded');
  });
});
