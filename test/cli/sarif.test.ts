import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type * as Sarif from 'sarif';
import { lintParsed as lint } from '../../server/src/core/engine.js';
import type { Severity } from '../../server/src/core/model.js';
import { parseConfig } from '../../server/src/core/parse/index.js';
import { lineHashes } from '../../server/src/core/report/line-hash.js';
import type { FileResult } from '../../server/src/core/report/result.js';
import {
  FINGERPRINT_KEY,
  markdownToText,
  SARIF_LEVEL,
  SECURITY_SEVERITY,
  toSarif,
} from '../../server/src/core/report/sarif.js';
import { defineRule } from '../../server/src/core/rule.js';
import { catalog } from '../../server/src/core/rules/index.js';
import { repoRoot } from '../support/repo-root.js';
import { CLEAN, compileSchema, errorsOf, exampleFiles, ruleFixtures, runCli } from './helpers.js';

const ROOT = repoRoot();
const validate = compileSchema(path.join(ROOT, 'test', 'support', 'sarif-schema-2.1.0.json'));

function assertValid(log: unknown, what: string): asserts log is Sarif.Log {
  assert.ok(validate(log), `${what}: not valid SARIF 2.1.0\n${errorsOf(validate)}`);
}

/** What GitHub code scanning needs beyond the schema (a violation rejects the whole upload). */
function assertGithubReady(log: Sarif.Log, what: string): void {
  const hashed = new Map<string, string[]>();
  assert.equal(log.runs.length, 1, what);
  const run = log.runs[0] as Sarif.Run;
  assert.equal(run.columnKind, 'utf16CodeUnits', what);
  assert.ok(Array.isArray(run.results), `${what}: results must be present`);
  const rules = run.tool.driver.rules ?? [];
  for (const rule of rules) {
    const props = rule.properties ?? {};
    assert.ok(props.tags?.includes('security'), `${what}: ${rule.id} lacks the security tag`);
    assert.match(String(props['security-severity']), /^\d+\.\d$/, `${what}: ${rule.id}`);
    assert.ok(rule.help?.text !== undefined && rule.help.markdown !== undefined, rule.id);
    assert.ok(rule.helpUri?.endsWith(`/docs/rules/${rule.id}.md`), rule.id);
  }
  for (const result of run.results ?? []) {
    const rule = rules[result.ruleIndex ?? -1];
    assert.equal(rule?.id, result.ruleId, `${what}: ruleIndex points at the wrong rule`);
    const severity = result.properties?.['severity'] as Severity;
    assert.equal(result.level, SARIF_LEVEL[severity], `${what}: level of ${result.ruleId}`);
    const loc = result.locations?.[0]?.physicalLocation;
    assert.ok(loc?.region?.startLine !== undefined && loc.region.startLine >= 1, what);
    assert.ok((loc.region.startColumn ?? 0) >= 1, what);
    assert.equal(loc.artifactLocation?.uriBaseId, '%SRCROOT%', what);
    const uri = loc.artifactLocation?.uri ?? '';
    assert.ok(!uri.startsWith('/') && !uri.includes('\\'), `${what}: ${uri} is not relative`);
    // Our line hash must be the one the upload action would compute from the file on disk.
    let hashes = hashed.get(uri);
    if (hashes === undefined) {
      hashes = lineHashes(readFileSync(path.join(ROOT, decodeURIComponent(uri)), 'utf8'));
      hashed.set(uri, hashes);
    }
    assert.equal(
      result.partialFingerprints?.['primaryLocationLineHash'],
      hashes[loc.region.startLine - 1],
      `${what}: primaryLocationLineHash`,
    );
    assert.match(result.partialFingerprints?.[FINGERPRINT_KEY] ?? '', /^[0-9a-f]{16}$/);
    assert.equal(result.suppressions, undefined, `${what}: suppressed findings are left out`);
  }
}

describe('SARIF output of the CLI', () => {
  const files = [...exampleFiles(), ...ruleFixtures()];

  test('covers the examples and every rule fixture', () => {
    assert.ok(files.length > 20, `only ${files.length} files found`);
  });

  test('validates against the SARIF 2.1.0 schema for every example and fixture', async () => {
    // Rule help from the small fixture pages keeps each log small; the run over all files
    // below carries the real docs/rules pages.
    for (const file of files) {
      const out = await runCli(['--format', 'sarif', '--fail-on', 'never', file], {
        docsDir: path.join(ROOT, 'test', 'cli', 'docs-fixture'),
      });
      assert.equal(out.code, 0, `${file}: ${out.stderr}`);
      const log = JSON.parse(out.stdout) as unknown;
      assertValid(log, file);
      assertGithubReady(log, file);
    }
  });

  test('validates for all of them in one run', async () => {
    const out = await runCli(['--format', 'sarif', '--fail-on', 'never', ...files]);
    const log = JSON.parse(out.stdout) as unknown;
    assertValid(log, 'all files');
    assertGithubReady(log, 'all files');
  });

  test('an empty run still has results and describes every rule', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relay-lint-sarif-'));
    writeFileSync(path.join(dir, 'clean.relay.yaml'), CLEAN);
    const out = await runCli(['--format', 'sarif', '.'], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(out.code, 0, out.stdout);
    const log = JSON.parse(out.stdout) as Sarif.Log;
    assertValid(log, 'empty');
    const run = log.runs[0] as Sarif.Run;
    assert.deepEqual(run.results, []);
    assert.deepEqual(
      run.tool.driver.rules?.map((r) => r.id),
      catalog.map((r) => r.meta.id).sort(),
    );
    assert.equal(run.invocations?.[0]?.executionSuccessful, true);
  });

  test('rule metadata follows SPEC §2', async () => {
    const out = await runCli(['--format', 'sarif', '--fail-on', 'never', files[0] ?? '']);
    const rules = (JSON.parse(out.stdout) as Sarif.Log).runs[0]?.tool.driver.rules ?? [];
    for (const rule of catalog) {
      const d = rules.find((r) => r.id === rule.meta.id);
      assert.ok(d, rule.meta.id);
      assert.equal(d.name, rule.meta.name);
      assert.equal(d.shortDescription?.text, rule.meta.title);
      assert.equal(d.fullDescription?.text, rule.meta.rationale);
      assert.equal(d.defaultConfiguration?.level, SARIF_LEVEL[rule.meta.severity]);
      assert.equal(d.properties?.['security-severity'], SECURITY_SEVERITY[rule.meta.severity]);
      assert.ok(['very-high', 'high'].includes(String(d.properties?.['precision'])));
      assert.ok(
        d.properties?.tags?.includes(
          rule.meta.category === 'security' ? 'security' : rule.meta.category,
        ),
      );
    }
  });

  test('help comes from docs/rules/<ID>.md when the page exists', async () => {
    const dir = path.join(ROOT, 'test', 'cli', 'docs-fixture');
    const out = await runCli(['--format', 'sarif', files[0] ?? ''], { docsDir: dir });
    const rules = (JSON.parse(out.stdout) as Sarif.Log).runs[0]?.tool.driver.rules ?? [];
    const page = readFileSync(path.join(dir, 'RLY001.md'), 'utf8');
    const rly001 = rules.find((r) => r.id === 'RLY001');
    assert.equal(rly001?.help?.markdown, page.trimEnd());
    assert.equal(rly001?.help?.text, markdownToText(page));
    assert.ok(!(rly001?.help?.text ?? '').includes('**'));
    // A rule without a page falls back to its title and rationale.
    const rly004 = rules.find((r) => r.id === 'RLY004');
    assert.ok(
      rly004?.help?.markdown?.includes(
        catalog.find((r) => r.meta.id === 'RLY004')?.meta.rationale ?? '?',
      ),
    );
  });
});

describe('toSarif', () => {
  function lintText(name: string, text: string, suppressed?: Map<string, string>): FileResult {
    const file = parseConfig(name, text);
    const findings = lint(file, suppressed !== undefined ? { config: { suppressed } } : {});
    return { path: name, file, findings };
  }

  const OPEN = [
    'version: 1',
    'servers:',
    '  - name: EDGE',
    '    listeners:',
    '      - name: Default',
    '        authentication:',
    '          # relay-lint-disable-next-line anonymous-auth -- internet MX, reviewed in OPS-7',
    '          anonymous: true',
    '        relay:',
    '          mode: allExcept',
    '',
  ].join('\n');

  test('leaves suppressed findings out, or keeps them with their suppression', () => {
    const r = lintText(
      'dir with space/edge.relay.yaml',
      OPEN,
      new Map([['RLY002', 'legacy, see OPS-9']]),
    );
    assert.ok(r.findings.some((f) => f.suppressed));
    const without = toSarif([r]);
    assertValid(without, 'without');
    const results = without.runs[0]?.results ?? [];
    assert.ok(results.every((x) => x.suppressions === undefined));
    assert.ok(!results.some((x) => x.ruleId === 'RLY004' || x.ruleId === 'RLY002'));

    const withSuppressed = toSarif([r], { includeSuppressed: true });
    assertValid(withSuppressed, 'with');
    const all = withSuppressed.runs[0]?.results ?? [];
    const anon = all.find((x) => x.ruleId === 'RLY004');
    assert.deepEqual(anon?.suppressions, [
      { kind: 'inSource', justification: 'internet MX, reviewed in OPS-7' },
    ]);
    const mode = all.find((x) => x.ruleId === 'RLY002');
    assert.deepEqual(mode?.suppressions, [
      { kind: 'external', justification: 'legacy, see OPS-9' },
    ]);
    const uri = anon?.locations?.[0]?.physicalLocation?.artifactLocation?.uri;
    assert.equal(uri, 'dir%20with%20space/edge.relay.yaml');
  });

  test('related locations and fixes are carried over', () => {
    const log = toSarif([lintText('edge.relay.yaml', OPEN)]);
    assertValid(log, 'related');
    const open = log.runs[0]?.results?.find((x) => x.ruleId === 'RLY001');
    assert.ok((open?.relatedLocations?.length ?? 0) > 0);
    const mode = log.runs[0]?.results?.find((x) => x.ruleId === 'RLY002');
    assert.ok((mode?.fixes?.length ?? 0) > 0);
  });

  test('findings of a failing rule become tool notifications, not results', () => {
    const broken = defineRule({
      meta: {
        id: 'RLY004',
        name: 'anonymous-auth',
        title: 'Broken',
        category: 'security',
        severity: 'medium',
        messages: { x: 'x.' },
        rationale: 'r',
      },
      check() {
        throw new Error('boom');
      },
    });
    const file = parseConfig('a.relay.yaml', OPEN);
    const r = { path: 'a.relay.yaml', file, findings: lint(file, { rules: [broken] }) };
    assert.ok(r.findings.some((f) => f.ruleId === 'internal'));
    const log = toSarif([r], {
      notifications: [
        { message: 'cannot read b.relay.yaml: permission denied', path: 'b.relay.yaml' },
      ],
    });
    assertValid(log, 'internal');
    const run = log.runs[0] as Sarif.Run;
    assert.ok(!(run.results ?? []).some((x) => x.ruleId === 'internal'));
    const notes = run.invocations?.[0]?.toolExecutionNotifications ?? [];
    assert.equal(notes.length, 2);
    assert.match(notes[1]?.message.text ?? '', /boom/);
    assert.equal(run.invocations?.[0]?.executionSuccessful, false);
  });

  test('srcRootUri becomes originalUriBaseIds', () => {
    const log = toSarif([], { srcRootUri: 'file:///work/repo' });
    assertValid(log, 'srcroot');
    assert.deepEqual(log.runs[0]?.originalUriBaseIds, {
      '%SRCROOT%': { uri: 'file:///work/repo/' },
    });
    assert.deepEqual(log.runs[0]?.results, []);
  });
});

describe('remedies in SARIF and JSON (Exchange exports)', () => {
  test('a finding with a shell command carries it as a fix description, changing no text', async () => {
    const sarif = await runCli([
      '--format',
      'sarif',
      'examples/exchange/unsafe-ex01.exchange.json',
    ]);
    const log: unknown = JSON.parse(sarif.stdout);
    assertValid(log, 'the Exchange example');
    const results = log.runs[0]?.results ?? [];
    const open = results.find((r) => r.ruleId === 'RLY001');
    const fix = open?.fixes?.find((f) => f.properties?.['remediation'] === true);
    assert.ok(fix, 'the open relay carries its remedy');
    assert.match(fix.description?.text ?? '', /^(Set|Remove|Add)-\w+ /);
    for (const change of fix.artifactChanges)
      for (const rep of change.replacements) {
        assert.equal(rep.insertedContent, undefined, 'nothing inserted');
        const region = rep.deletedRegion;
        assert.equal(region.startLine, region.endLine);
        assert.equal(region.startColumn, region.endColumn, 'nothing deleted');
      }
    const json = await runCli(['--format', 'json', 'examples/exchange/unsafe-ex01.exchange.json']);
    const report = JSON.parse(json.stdout) as {
      files: { findings: { ruleId: string; remediation?: string; fixes: unknown[] }[] }[];
    };
    const finding = report.files[0]?.findings.find((f) => f.ruleId === 'RLY001');
    assert.equal(finding?.remediation, fix.description?.text);
    assert.deepEqual(finding?.fixes, [], 'no text edits to the export');
  });
});
