import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  extension,
  fileUri,
  open,
  relayDiagnostics,
  revertAndCloseAll,
  until,
  waitForDiagnostics,
} from './helpers';

/**
 * Activation events that may start the extension before any relay file is opened: eager ones,
 * and JSON, whose documents the workbench opens on its own (settings and the like).
 */
const EARLY = /^(\*|onStartupFinished|workspaceContains:.*|onLanguage:jsonc?)$/;

describe('activation', () => {
  after(revertAndCloseAll);

  it('activates when a relay configuration is opened, and lints it', async () => {
    const ext = extension();
    const manifest = ext.packageJSON as { activationEvents?: string[] };
    const events = manifest.activationEvents ?? [];
    if (!events.some((e) => EARLY.test(e))) {
      assert.equal(
        ext.isActive,
        false,
        `not active before a relay file is opened (${events.join(', ')})`,
      );
    }
    const rel = 'examples/insecure/open-relay.relay.yaml';
    assert.equal(relayDiagnostics(fileUri(rel)).length, 0, 'no diagnostics before opening');
    await open(rel);
    await until(() => (ext.isActive ? true : undefined), 'the extension is active');
    await waitForDiagnostics(fileUri(rel), (d) => d.length > 0, `${rel}: diagnostics appear`);
  });

  it('registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['relayLint.restart', 'relayLint.showOutput']) {
      assert.ok(commands.includes(c), `command ${c} is registered`);
    }
  });
});
