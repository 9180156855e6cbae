import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  AUDIT_EXPORT_REQUEST,
  AUDIT_REQUEST,
  type AuditExportResult,
  type AuditResult,
} from '../../server/src/protocol/index.js';
import { runCli } from '../cli/helpers.js';
import { repoRoot } from '../support/repo-root.js';
import { startTestClient, tempWorkspace } from './harness.js';

/** The parts of a SARIF log that say which tool and where it ran, not what it found. */
function withoutToolMetadata(text: string): unknown {
  const log = JSON.parse(text) as {
    runs: { tool?: unknown; originalUriBaseIds?: unknown; invocations?: unknown }[];
  };
  for (const r of log.runs) {
    delete r.tool;
    delete r.originalUriBaseIds;
    delete r.invocations;
  }
  return log;
}

describe('the audit and the CLI share their steps', () => {
  test("the audit's SARIF equals the CLI's for the same folder", async () => {
    const ws = tempWorkspace();
    try {
      const examples = path.join(repoRoot(), 'examples');
      for (const rel of [
        'insecure/open-relay.relay.yaml',
        'secure/exchange-anonymous-connector.relay.yaml',
      ])
        ws.write(`site/${rel}`, readFileSync(path.join(examples, rel), 'utf8'));
      // A nested configuration that excludes one file the outer globs would take, and a broken
      // one (reported once, by its path in the folder).
      ws.write('site/nested/.relay-lint.yaml', "files: ['kept.relay.yaml']\n");
      ws.write('site/broken/.relay-lint.yaml', 'rules: { RLY9: off }\n');
      ws.write(
        'site/broken/a.relay.yaml',
        readFileSync(path.join(examples, 'insecure/broad-cidr.relay.yaml'), 'utf8'),
      );
      ws.write(
        'site/nested/kept.relay.yaml',
        readFileSync(path.join(examples, 'insecure/open-relay.relay.yaml'), 'utf8'),
      );
      ws.write(
        'site/nested/dropped.relay.yaml',
        readFileSync(path.join(examples, 'insecure/open-relay.relay.yaml'), 'utf8'),
      );

      const cli = await runCli(['--format', 'sarif', '.'], { cwd: ws.dir });
      const client = await startTestClient({ workspaceFolders: [ws.uri] });
      try {
        const result = await client.connection.sendRequest<AuditResult>(AUDIT_REQUEST, {});
        assert.equal(result.files, 4, 'four relay files');
        const audit = await client.connection.sendRequest<AuditExportResult | null>(
          AUDIT_EXPORT_REQUEST,
          { format: 'sarif' },
        );
        assert.ok(audit !== null);
        const cliLog = withoutToolMetadata(cli.stdout);
        assert.match(cli.stdout, /broken\/\.relay-lint\.yaml/);
        assert.doesNotMatch(cli.stdout, /dropped\.relay\.yaml/);
        assert.deepEqual(withoutToolMetadata(audit.text), cliLog);
      } finally {
        await client.dispose();
      }
    } finally {
      ws.dispose();
    }
  });
});
