import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileChangeType } from 'vscode-languageserver/node';
import { parseSettings } from '../../server/src/lsp/settings.js';
import { repoRoot } from '../support/repo-root.js';
import { startTestClient, type TempWorkspace, tempWorkspace } from './harness.js';

const FIXTURES = path.join(repoRoot(), 'test', 'lsp', 'fixtures');
const EDGE = readFileSync(path.join(FIXTURES, 'edge.relay.yaml'), 'utf8');

let ws: TempWorkspace;
before(() => {
  ws = tempWorkspace();
});
after(() => {
  ws.dispose();
});

describe('language server: settings and configuration', () => {
  test('parseSettings is tolerant of whatever the client sends', () => {
    const defaults = { enable: true, run: 'onType', trace: { server: 'off' } };
    assert.deepEqual(parseSettings(undefined), defaults);
    assert.deepEqual(parseSettings('yes'), defaults);
    assert.deepEqual(parseSettings({ enable: 'false', run: 'sometimes', trace: 3 }), defaults);
    assert.deepEqual(
      parseSettings({ enable: false, run: 'onSave', trace: { server: 'verbose' } }),
      {
        enable: false,
        run: 'onSave',
        trace: { server: 'verbose' },
      },
    );
  });

  test('settings are pulled per document; a change re-lints, enable: false clears', async () => {
    let enable = true;
    const client = await startTestClient({
      workspaceFolders: [ws.uri],
      settings: () => ({ enable, run: 'onType' }),
    });
    await client.sync();
    assert.ok(client.registrations.includes('workspace/didChangeConfiguration'));
    const uri = ws.write('settings.relay.yaml', EDGE);
    const first = client.nextDiagnostics(uri);
    client.open(uri, EDGE);
    assert.ok((await first).diagnostics.length > 0);
    const asked = client.configurationRequests;
    enable = false;
    const cleared = client.nextDiagnostics(uri);
    client.configurationChanged();
    assert.deepEqual((await cleared).diagnostics, []);
    assert.ok(client.configurationRequests > asked, 'settings are pulled again');
    // Disabled: no code actions, hover or completion either.
    const pos = { line: 11, character: 12 };
    assert.equal(await client.hover(uri, pos), null);
    assert.deepEqual(await client.completion(uri, pos), []);
    enable = true;
    const back = client.nextDiagnostics(uri);
    client.configurationChanged();
    assert.ok((await back).diagnostics.length > 0);
    await client.dispose();
  });

  test('run: onSave lints on open and save, not on type', async () => {
    const client = await startTestClient({
      workspaceFolders: [ws.uri],
      settings: () => ({ run: 'onSave' }),
    });
    const uri = ws.write('onsave.relay.yaml', EDGE);
    const first = client.nextDiagnostics(uri);
    client.open(uri, EDGE, 1);
    assert.equal((await first).version, 1);
    client.change(uri, 2, EDGE.replace('anonymous: true', 'anonymous: false'));
    await client.sync();
    await client.sync();
    assert.ok(!client.published.some((p) => p.uri === uri && p.version === 2));
    const saved = client.nextDiagnostics(uri);
    client.save(uri);
    const after = await saved;
    assert.equal(after.version, 2);
    assert.ok(!after.diagnostics.some((d) => d.code === 'RLY004'));
    await client.dispose();
  });

  test('.relay-lint.yaml: rules, files and ignore apply; a change re-lints open documents', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const cfgUri = ws.write('proj/.relay-lint.yaml', 'rules:\n  anonymous-auth: off\n');
    const uri = ws.write('proj/edge.relay.yaml', EDGE);
    const first = client.nextDiagnostics(uri);
    client.open(uri, EDGE);
    const before = await first;
    assert.ok(!before.diagnostics.some((d) => d.code === 'RLY004'), 'rule turned off');
    // The configuration changes on disk: the watcher tells the server, which re-lints.
    ws.write('proj/.relay-lint.yaml', 'rules:\n  anonymous-auth: high\n');
    const relinted = client.nextDiagnostics(uri);
    client.watchedFileChanged(cfgUri, FileChangeType.Changed);
    const after = await relinted;
    const anon = after.diagnostics.find((d) => d.code === 'RLY004');
    assert.equal(anon?.severity, 1, 'now an error (high)');
    // `ignore` takes the file out: its diagnostics are cleared.
    ws.write('proj/.relay-lint.yaml', 'ignore: ["edge.*"]\n');
    const ignored = client.nextDiagnostics(uri);
    client.watchedFileChanged(cfgUri, FileChangeType.Changed);
    assert.deepEqual((await ignored).diagnostics, []);
    // `files` can name other files than *.relay.yaml.
    ws.write('proj/.relay-lint.yaml', 'files: ["relays/*.yaml"]\n');
    client.watchedFileChanged(cfgUri, FileChangeType.Changed);
    const custom = ws.write('proj/relays/edge.yaml', EDGE);
    const linted = client.nextDiagnostics(custom);
    client.open(custom, EDGE);
    assert.ok((await linted).diagnostics.length > 0);
    await client.dispose();
  });

  test('a broken .relay-lint.yaml is reported on its own URI and linting goes on', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    const cfgUri = ws.write('broken/.relay-lint.yaml', 'rules:\n  no-such-rule: off\n');
    const uri = ws.write('broken/edge.relay.yaml', EDGE);
    const cfgDiagnostics = client.nextDiagnostics(cfgUri);
    const docDiagnostics = client.nextDiagnostics(uri);
    client.open(uri, EDGE);
    assert.ok((await docDiagnostics).diagnostics.some((d) => d.code === 'RLY004'));
    const problems = (await cfgDiagnostics).diagnostics;
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.code, 'RLY000');
    assert.equal(problems[0]?.range.start.line, 1);
    // Fixed on disk: the problems are cleared.
    ws.write('broken/.relay-lint.yaml', 'rules:\n  anonymous-auth: off\n');
    const cleared = client.nextDiagnostics(cfgUri);
    const relinted = client.nextDiagnostics(uri);
    client.watchedFileChanged(cfgUri, FileChangeType.Changed);
    assert.deepEqual((await cleared).diagnostics, []);
    assert.ok(!(await relinted).diagnostics.some((d) => d.code === 'RLY004'));
    // Deleted: the defaults apply again.
    rmSync(path.join(ws.dir, 'broken', '.relay-lint.yaml'));
    const defaults = client.nextDiagnostics(uri);
    client.watchedFileChanged(cfgUri, FileChangeType.Deleted);
    assert.ok((await defaults).diagnostics.some((d) => d.code === 'RLY004'));
    await client.dispose();
  });
});
