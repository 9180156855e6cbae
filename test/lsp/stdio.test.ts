import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  type CodeAction,
  CodeActionRequest,
  createProtocolConnection,
  type Diagnostic,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  type ProtocolConnection,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type TextDocumentEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { toDiagnosticSeverity } from '../../server/src/lsp/diagnostics.js';
import { repoRoot } from '../support/repo-root.js';
import { messageOf, VSCODE_LIKE_CAPABILITIES } from './harness.js';

const ROOT = repoRoot();
const SERVER = path.join(ROOT, 'server', 'dist', 'server.js');
const CLI = path.join(ROOT, 'server', 'dist', 'cli.js');

interface CliPosition {
  readonly line: number;
  readonly column: number;
}
interface CliRange {
  readonly start: CliPosition;
  readonly end: CliPosition;
}
interface CliFinding {
  readonly ruleId: string;
  readonly severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  readonly message: string;
  readonly range: CliRange;
  readonly suppressed: boolean;
  readonly fixes: readonly {
    readonly title: string;
    readonly edits: readonly { readonly range: CliRange; readonly newText: string }[];
  }[];
}
interface CliReport {
  readonly files: readonly { readonly path: string; readonly findings: readonly CliFinding[] }[];
}

/** Relay files of `examples/` (when another engineer has written them) and our fixtures. */
function parityFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.relay\.(ya?ml|json)$/.test(e.name)) out.push(path.relative(ROOT, p));
    }
  };
  walk(path.join(ROOT, 'examples'));
  walk(path.join(ROOT, 'test', 'lsp', 'fixtures'));
  return out.sort();
}

function toLsp(p: CliPosition): { line: number; character: number } {
  return { line: p.line - 1, character: p.column - 1 };
}

function applyCliEdits(text: string, edits: CliFinding['fixes'][number]['edits']): string {
  const doc = TextDocument.create('file:///x', 'yaml', 1, text);
  return TextDocument.applyEdits(
    doc,
    edits.map((e) => ({
      range: { start: toLsp(e.range.start), end: toLsp(e.range.end) },
      newText: e.newText,
    })),
  );
}

function applyAction(text: string, action: CodeAction): string {
  const edit = action.edit?.documentChanges?.[0] as TextDocumentEdit | undefined;
  assert.ok(edit !== undefined, `${action.title} has a document edit`);
  const doc = TextDocument.create('file:///x', 'yaml', 1, text);
  return TextDocument.applyEdits(
    doc,
    edit.edits.map((e) => ('newText' in e ? e : { range: e.range, newText: '' })),
  );
}

describe('the bundled server over stdio', () => {
  let connection: ProtocolConnection;
  let exited: Promise<number | null>;
  const waiting = new Map<string, (p: PublishDiagnosticsParams) => void>();

  before(async () => {
    assert.ok(existsSync(SERVER), 'server/dist/server.js exists (npm test builds it first)');
    const child = spawn(process.execPath, [SERVER, '--stdio'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    exited = new Promise((resolve) => child.on('exit', resolve));
    connection = createProtocolConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      waiting.get(params.uri)?.(params);
      waiting.delete(params.uri);
    });
    connection.onRequest('workspace/configuration', (params: { items: unknown[] }) =>
      params.items.map(() => ({})),
    );
    connection.onRequest('client/registerCapability', () => null);
    connection.onNotification('window/logMessage', () => undefined);
    connection.listen();
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- InitializeParams still requires rootUri.
      rootUri: pathToFileURL(ROOT).href,
      workspaceFolders: [{ uri: pathToFileURL(ROOT).href, name: 'root' }],
      capabilities: VSCODE_LIKE_CAPABILITIES,
    });
    assert.equal(result.serverInfo?.name, 'relay-lint');
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(async () => {
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0, 'the server exits cleanly after shutdown + exit');
    connection.dispose();
  });

  function open(file: string, text: string): Promise<PublishDiagnosticsParams> {
    const uri = pathToFileURL(path.join(ROOT, file)).href;
    const published = new Promise<PublishDiagnosticsParams>((resolve) => waiting.set(uri, resolve));
    void connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: file.endsWith('.json') ? 'json' : 'yaml', version: 1, text },
    });
    return published;
  }

  test('each example: the diagnostics are the CLI findings; each quick fix gives the CLI text', async () => {
    const files = parityFiles();
    assert.ok(files.length >= 2);
    const cli = spawnSync(
      process.execPath,
      [CLI, '--format', 'json', '--fail-on', 'never', ...files],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    assert.equal(cli.status, 0, cli.stderr);
    const report = JSON.parse(cli.stdout) as CliReport;
    let fixesChecked = 0;
    for (const file of files) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      const published = await open(file, text);
      const expected = (report.files.find((f) => f.path === file)?.findings ?? []).filter(
        (f) => !f.suppressed,
      );
      const shape = (d: Diagnostic) => ({
        code: d.code,
        severity: d.severity,
        message: messageOf(d),
        range: d.range,
      });
      assert.deepEqual(
        published.diagnostics.map(shape),
        expected.map((f) => ({
          code: f.ruleId,
          severity: toDiagnosticSeverity(f.severity),
          message: f.message,
          range: { start: toLsp(f.range.start), end: toLsp(f.range.end) },
        })),
        file,
      );
      for (const [i, finding] of expected.entries()) {
        if (finding.fixes.length === 0) continue;
        const diagnostic = published.diagnostics[i];
        assert.ok(diagnostic !== undefined);
        const actions = await connection.sendRequest(CodeActionRequest.type, {
          textDocument: { uri: published.uri },
          range: diagnostic.range,
          context: { diagnostics: [diagnostic] },
        });
        for (const fix of finding.fixes) {
          const action = (actions ?? []).find(
            (a): a is CodeAction => a.title === fix.title && 'edit' in a,
          );
          assert.ok(action !== undefined, `${file}: quick fix "${fix.title}"`);
          assert.equal(
            applyAction(text, action),
            applyCliEdits(text, fix.edits),
            `${file}: ${fix.title}`,
          );
          fixesChecked++;
        }
      }
    }
    console.log(`parity: ${files.length} files, ${fixesChecked} quick fixes`);
  });
});
