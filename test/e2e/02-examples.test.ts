import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  cliFindings,
  describeAllFindings,
  expectDiagnosticsLikeCli,
  fileUri,
  revertAndCloseAll,
  severityOf,
  workspaceRoot,
} from './helpers';

describe('diagnostics of the examples', () => {
  after(revertAndCloseAll);

  it('match the CLI: codes, ranges, severities and messages of every example', async () => {
    const uris = await vscode.workspace.findFiles('examples/**/*.relay.{yaml,yml,json}');
    const root = workspaceRoot().path;
    const rels = uris.map((u) => u.path.slice(root.length + 1)).sort();
    assert.ok(rels.length >= 5, `the fixture holds the examples (found ${rels.join(', ')})`);
    const expected = await cliFindings(rels);
    const severities = new Set<vscode.DiagnosticSeverity>();
    let total = 0;
    for (const rel of rels) {
      const findings = (expected.get(fileUri(rel).fsPath) ?? []).filter((f) => !f.suppressed);
      await vscode.workspace.openTextDocument(fileUri(rel));
      const got = await expectDiagnosticsLikeCli(rel, findings);
      for (const d of got) severities.add(d.severity);
      total += got.length;
      console.log(
        `      ${rel}: ${describeAllFindings(findings)
          .map((s) => s.split(' ')[0])
          .join(' ')}`,
      );
    }
    // The examples span every severity, so the mapping of each one is checked above.
    for (const f of [...expected.values()].flat()) severities.add(severityOf(f.severity));
    assert.ok(total > 0, 'the examples have findings');
    assert.equal(severities.size, 4, 'the examples cover Error, Warning, Information and Hint');
  });
});
