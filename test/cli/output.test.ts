import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { SEVERITIES } from '../../server/src/core/model.js';
import { assertGolden } from '../support/golden.js';
import { repoRoot } from '../support/repo-root.js';
import { CLEAN, compileSchema, errorsOf, exampleFiles, ruleFixtures, runCli } from './helpers.js';

const ROOT = repoRoot();
const GOLDEN = path.join(ROOT, 'test', 'cli', 'golden');
/** Rule pages for SARIF help, fixed so that editing docs/rules does not churn the goldens. */
const DOCS = path.join(ROOT, 'test', 'cli', 'docs-fixture');

interface JsonReport {
  files: {
    path: string;
    findings: {
      severity: string;
      suppressed: boolean;
      range: { start: { line: number; column: number } };
    }[];
  }[];
  summary: { files: number; findings: Record<string, number> };
}

describe('JSON output', () => {
  const validate = compileSchema(path.join(ROOT, 'test', 'cli', 'json-output.schema.json'));
  const files = [...exampleFiles(), ...ruleFixtures()];

  test('validates against the schema of SPEC §6 for every example and fixture', async () => {
    // One run holds every file's entry, so the schema sees each of them.
    const out = await runCli(['--format', 'json', '--fail-on', 'never', ...files]);
    assert.equal(out.code, 0, out.stderr);
    const report = JSON.parse(out.stdout) as { files: unknown[] };
    assert.equal(report.files.length, files.length);
    assert.ok(validate(report), errorsOf(validate));
  });

  test('sorts files by path and findings by position; the summary counts unsuppressed ones', async () => {
    const out = await runCli(['--format', 'json', '--fail-on', 'never', ...files]);
    const report = JSON.parse(out.stdout) as JsonReport;
    const paths = report.files.map((f) => f.path);
    assert.deepEqual(paths, [...paths].sort());
    const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
    for (const f of report.files) {
      const at = f.findings.map((x) => x.range.start.line * 1e6 + x.range.start.column);
      assert.deepEqual(
        at,
        [...at].sort((a, b) => a - b),
        f.path,
      );
      for (const x of f.findings)
        if (!x.suppressed) counts[x.severity] = (counts[x.severity] ?? 0) + 1;
    }
    assert.deepEqual(report.summary.findings, counts);
    assert.equal(report.summary.files, report.files.length);
  });
});

/**
 * The SARIF golden keeps each rule descriptor's id, name, level and properties but not its texts
 * (title, rationale, help): those change whenever a rule's wording does, and the SARIF tests
 * check them against the catalog instead.
 */
function withoutRuleTexts(sarif: string): string {
  const log = JSON.parse(sarif) as {
    runs: { tool: { driver: { rules: Record<string, unknown>[] } } }[];
  };
  for (const run of log.runs) {
    for (const rule of run.tool.driver.rules) {
      delete rule['shortDescription'];
      delete rule['fullDescription'];
      delete rule['help'];
    }
  }
  return `${JSON.stringify(log, null, 2)}\n`;
}

describe('CLI goldens', () => {
  const cases = [
    { name: 'open-relay', file: 'test/rules/open-relay/invalid-all-except.yaml' },
    { name: 'anonymous-auth-json', file: 'test/rules/anonymous-auth/invalid-flow.json' },
  ];
  const formats = [
    { format: 'text', ext: 'txt' },
    { format: 'json', ext: 'json' },
    { format: 'sarif', ext: 'sarif' },
    { format: 'markdown', ext: 'md' },
  ];
  for (const c of cases) {
    for (const f of formats) {
      test(`${c.name} as ${f.format}`, async () => {
        const out = await runCli(['--format', f.format, '--fail-on', 'medium', c.file], {
          docsDir: DOCS,
        });
        assert.equal(out.code, 1, out.stderr);
        const text = f.format === 'sarif' ? withoutRuleTexts(out.stdout) : out.stdout;
        assertGolden(path.join(GOLDEN, `${c.name}.${f.ext}`), text);
      });
    }
  }
});

describe('--format markdown', () => {
  test('lists every open relay with server, listener, count and place', async () => {
    const out = await runCli(['--format', 'markdown', '--fail-on', 'never', 'examples']);
    const json = await runCli(['--format', 'json', '--fail-on', 'never', 'examples']);
    const report = JSON.parse(json.stdout) as {
      files: { path: string; findings: { ruleId: string; range: { start: { line: number } } }[] }[];
    };
    const section = out.stdout.split('## Open relays')[1]?.split('\n## ')[0] ?? '';
    const rows = section
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Server') && !l.startsWith('| ---'));
    const expected = report.files.flatMap((f) =>
      f.findings.filter((x) => x.ruleId === 'RLY001').map((x) => `${f.path}:${x.range.start.line}`),
    );
    assert.equal(rows.length, expected.length);
    for (const place of expected) assert.ok(section.includes(`[${place}](`), place);
    for (const row of rows) assert.match(row, /^\| [^|—]+ \| [^|—]+ \| [\d,]+ IPv[46]/);
  });

  test('reports a clean run plainly and is deterministic', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relay-lint-md-'));
    try {
      writeFileSync(path.join(dir, 'clean.relay.yaml'), CLEAN);
      const a = await runCli(['--format', 'markdown', '.'], { cwd: dir });
      const b = await runCli(['--format', 'markdown', '.'], { cwd: dir });
      assert.equal(a.code, 0, a.stdout);
      assert.equal(a.stdout, b.stdout);
      assert.match(a.stdout, /\*\*No findings\*\* in 1 file\./);
      assert.match(a.stdout, /No listener lets untrusted addresses relay\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--output writes the report there, with links relative to it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relay-lint-md-'));
    try {
      const file = path.join(dir, 'report.md');
      const out = await runCli([
        '--format',
        'markdown',
        '--output',
        file,
        'examples/insecure/open-relay.relay.yaml',
      ]);
      assert.equal(out.code, 1);
      assert.equal(out.stdout, '');
      const text = readFileSync(file, 'utf8');
      const rel = path
        .relative(dir, path.join(ROOT, 'examples/insecure/open-relay.relay.yaml'))
        .split(path.sep)
        .join('/');
      assert.ok(text.includes(`](${rel}#L`), text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
