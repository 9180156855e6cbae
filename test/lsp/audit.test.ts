import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  CancellationTokenSource,
  type Diagnostic,
  type PublishDiagnosticsParams,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from 'vscode-languageserver/node';
import {
  AUDIT_EXPORT_REQUEST,
  AUDIT_REQUEST,
  type AuditExportResult,
  type AuditParams,
  type AuditResult,
} from '../../server/src/protocol/index.js';
import { runCli } from '../cli/helpers.js';
import { generateCorpus } from '../support/relay-corpus.js';
import { messageOf, startTestClient, type TempWorkspace, tempWorkspace } from './harness.js';

type Progress = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

interface CliFinding {
  ruleId: string;
  message: string;
  suppressed: boolean;
  range: { start: { line: number; column: number }; end: { line: number; column: number } };
}

const FILES = 200;

/** `code line:col-line:col message` of a diagnostic, 0-based as LSP is. */
function keyOf(d: Diagnostic): string {
  const r = d.range;
  return `${String(d.code)} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${messageOf(d)}`;
}

function cliKey(f: CliFinding): string {
  const { start, end } = f.range;
  return `${f.ruleId} ${start.line - 1}:${start.column - 1}-${end.line - 1}:${end.column - 1} ${f.message}`;
}

/** The last publish per URI. */
function lastPublished(
  all: readonly PublishDiagnosticsParams[],
): Map<string, PublishDiagnosticsParams> {
  const out = new Map<string, PublishDiagnosticsParams>();
  for (const p of all) out.set(p.uri, p);
  return out;
}

describe('workspace audit (relayLint/audit)', () => {
  let ws: TempWorkspace;
  let cli: Promise<{ files: { path: string; findings: CliFinding[] }[] }> | undefined;
  /** The CLI's JSON for the same folder (run once), less archive/, which the audit excludes. */
  const cliReport = (): Promise<{ files: { path: string; findings: CliFinding[] }[] }> =>
    (cli ??= runCli(['--format', 'json', '--fail-on', 'never', '.'], { cwd: ws.dir }).then(
      (out) => {
        const all = JSON.parse(out.stdout) as { files: { path: string; findings: CliFinding[] }[] };
        return { files: all.files.filter((f) => !f.path.startsWith('archive/')) };
      },
    ));

  before(() => {
    ws = tempWorkspace();
    generateCorpus(ws.dir, FILES);
    // Excluded like VS Code's files.exclude would: never linted, never published.
    ws.write('archive/old.relay.yaml', 'version: 1\nservers: [\n');
    ws.write('node_modules/dep/x.relay.yaml', 'version: 1\nservers: [\n');
  });
  after(() => {
    ws.dispose();
  });

  for (const auditConcurrency of ['off', 2] as const) {
    test(`fills the Problems panel with exactly the CLI findings, with progress (concurrency ${auditConcurrency})`, async () => {
      const client = await startTestClient({ workspaceFolders: [ws.uri], auditConcurrency });
      try {
        const events: Progress[] = [];
        client.connection.onProgress(WorkDoneProgress.type, 'audit-1', (v) => {
          events.push(v);
        });
        const params: AuditParams = { exclude: ['archive/**'], workDoneToken: 'audit-1' };
        const result = await client.connection.sendRequest<AuditResult>(AUDIT_REQUEST, params);
        await client.sync();

        const report = await cliReport();
        assert.equal(result.cancelled, false);
        assert.equal(result.found, report.files.length);
        assert.equal(result.files, report.files.length);
        assert.ok(result.found > FILES, `found ${result.found}`);

        const published = lastPublished(client.published);
        for (const file of report.files) {
          const uri = pathToFileURL(path.join(ws.dir, file.path)).href;
          const got = published.get(uri);
          assert.ok(got, `nothing published for ${file.path}`);
          assert.equal(got.version, undefined, 'files that are not open carry no version');
          const expected = file.findings
            .filter((f) => !f.suppressed)
            .map(cliKey)
            .sort();
          assert.deepEqual(got.diagnostics.map(keyOf).sort(), expected, file.path);
        }
        assert.ok(
          ![...published.keys()].some(
            (u) => u.includes('/archive/') || u.includes('/node_modules/'),
          ),
        );

        const shown = report.files.flatMap((f) => f.findings.filter((x) => !x.suppressed));
        assert.equal(
          Object.values(result.counts).reduce((a, b) => a + b, 0),
          shown.length,
        );
        assert.equal(result.openRelays, shown.filter((f) => f.ruleId === 'RLY001').length);
        assert.match(result.report, /^# Relay Lint audit report/);
        assert.match(result.report, /## Open relays/);

        assert.equal(events[0]?.kind, 'begin');
        assert.equal((events[0] as WorkDoneProgressBegin).cancellable, true);
        assert.equal(events.at(-1)?.kind, 'end');
        const last = events.filter((e): e is WorkDoneProgressReport => e.kind === 'report').at(-1);
        assert.equal(last?.percentage, 100);
        assert.equal(last?.message, `${result.found}/${result.found} files`);
      } finally {
        await client.dispose();
      }
    });
  }

  test('keeps answering while it runs', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    try {
      const order: string[] = [];
      const audit = client.connection
        .sendRequest<AuditResult>(AUDIT_REQUEST, { exclude: ['archive/**'] })
        .then(() => order.push('audit'));
      // A request sent behind the audit is answered while the audit still runs.
      const other = client.sync().then(() => order.push('hover'));
      await Promise.all([audit, other]);
      assert.deepEqual(order, ['hover', 'audit']);
    } finally {
      await client.dispose();
    }
  });

  for (const auditConcurrency of ['off', 2] as const) {
    test(`cancelling stops promptly and keeps what was found (concurrency ${auditConcurrency})`, async () => {
      const client = await startTestClient({ workspaceFolders: [ws.uri], auditConcurrency });
      try {
        const cts = new CancellationTokenSource();
        const audit = client.connection.sendRequest<AuditResult>(
          AUDIT_REQUEST,
          { exclude: ['archive/**'] },
          cts.token,
        );
        // Cancel once the first audited file is published: the audit is under way.
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            if (client.published.length === 0) return;
            clearInterval(timer);
            resolve();
          }, 1);
        });
        cts.cancel();
        const result = await audit;
        await client.sync();
        assert.equal(result.cancelled, true);
        assert.ok(
          result.files > 0 && result.files < result.found,
          `${result.files} of ${result.found}`,
        );
        // What was linted stays published: one publish per linted file, nothing more.
        assert.equal(lastPublished(client.published).size, result.files);
      } finally {
        await client.dispose();
      }
    });
  }

  test('an open buffer wins; closing it brings back the file on disk', async () => {
    const client = await startTestClient({ workspaceFolders: [ws.uri] });
    try {
      const uri = ws.uriOf('site-0/relay-0.relay.yaml');
      const disk = readFileSync(path.join(ws.dir, 'site-0/relay-0.relay.yaml'), 'utf8');
      const opened = client.nextDiagnostics(uri);
      client.open(uri, disk.replace('anonymous: true', 'anonymous: false'), 7);
      const buffer = await opened;
      assert.equal(buffer.version, 7);
      await client.connection.sendRequest<AuditResult>(AUDIT_REQUEST, { exclude: ['archive/**'] });
      await client.sync();
      assert.equal(
        lastPublished(client.published).get(uri)?.version,
        7,
        'the audit left the buffer alone',
      );

      const reopened = client.nextDiagnostics(uri, (p) => p.diagnostics.length > 0);
      client.close(uri);
      const fromDisk = await reopened;
      assert.equal(fromDisk.version, undefined);
      assert.ok(
        fromDisk.diagnostics.some((d) => d.code === 'RLY001'),
        'the file on disk is an open relay',
      );

      const md = await client.connection.sendRequest<AuditExportResult | null>(
        AUDIT_EXPORT_REQUEST,
        { format: 'markdown' },
      );
      assert.match(md?.text ?? '', /## Findings by file/);
      const sarif = await client.connection.sendRequest<AuditExportResult | null>(
        AUDIT_EXPORT_REQUEST,
        { format: 'sarif' },
      );
      const log = JSON.parse(sarif?.text ?? '{}') as {
        runs: { results: unknown[]; originalUriBaseIds?: unknown }[];
      };
      assert.ok((log.runs[0]?.results.length ?? 0) > 0);
      assert.deepEqual(log.runs[0]?.originalUriBaseIds, { '%SRCROOT%': { uri: `${ws.uri}/` } });
    } finally {
      await client.dispose();
    }
  });
});
