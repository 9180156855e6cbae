import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { lint } from '../../server/src/core/engine.js';
import { applyEdits } from '../../server/src/core/fix/apply.js';
import { fixAll } from '../../server/src/core/fix/fix-all.js';
import { type Finding, type ParsedFile, severityRank } from '../../server/src/core/model.js';
import { parseConfig } from '../../server/src/core/parse/index.js';
import { catalog } from '../../server/src/core/rules/index.js';
import { toValue } from '../../server/src/core/tree.js';
import { assertGolden, renderGolden } from '../support/golden.js';
import { repoRoot } from '../support/repo-root.js';

const RULES_DIR = path.join(repoRoot(), 'test', 'rules');
const FIXTURE = /^(valid|invalid)-.+\.(ya?ml|json)$/;
/** Rules whose findings come from comments or the parser, so a JSON twin means nothing. */
const NO_PARITY = new Set(['syntax', 'suppression-without-reason', 'unused-suppression']);

function lintText(name: string, text: string): { file: ParsedFile; findings: Finding[] } {
  const file = parseConfig(name, text);
  return { file, findings: lint(file) };
}

function key(f: Finding): string {
  return `${f.ruleId}|${f.message}`;
}

function placeKey(f: Finding): string {
  return `${f.ruleId}|${f.document}|${JSON.stringify(f.path)}`;
}

/** Where `offset` lands after `edits` (a position inside a replaced region maps to its start). */
function mapOffset(offset: number, edits: readonly { span: { start: number; end: number }; text: string }[]): number {
  let delta = 0;
  for (const e of edits) {
    if (e.span.end <= offset) delta += e.text.length - (e.span.end - e.span.start);
    else if (e.span.start <= offset) return e.span.start + delta;
  }
  return offset + delta;
}

const folders = readdirSync(RULES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

for (const folder of folders) {
  const rule = catalog.find((r) => r.meta.name === folder);
  describe(`rule ${folder}`, () => {
    test('is a rule of the catalog', () => {
      assert.ok(rule, `test/rules/${folder} has no rule named ${folder} in the catalog`);
    });
    if (rule === undefined) return;
    const dir = path.join(RULES_DIR, folder);
    const fixtures = readdirSync(dir).filter((f) => FIXTURE.test(f)).sort();
    for (const name of fixtures) {
      test(name, () => {
        const text = readFileSync(path.join(dir, name), 'utf8');
        const { file, findings } = lintText(name, text);
        const own = findings.filter((f) => f.ruleId === rule.meta.id);
        if (name.startsWith('valid-')) {
          assert.deepEqual(own.map((f) => f.message), [], `${name} must not fire ${rule.meta.id}`);
          if (folder !== 'schema' && folder !== 'syntax') {
            assert.deepEqual(findings.filter((f) => f.ruleId === 'RLY000' || f.ruleId === 'RLY099').map((f) => f.message), [], `${name} must pass the schema`);
          }
          return;
        }
        assert.ok(own.length > 0, `${name} must fire ${rule.meta.id}`);
        checkFindings(file, findings);
        checkFixes(name, file, findings);
        assertGolden(path.join(dir, `${name}.golden`), renderGolden(file, findings));
        checkSafeFixesConverge(name, text);
        if (!NO_PARITY.has(folder) && file.format === 'yaml' && file.documents.length === 1 && !text.includes('relay-lint-disable')) {
          checkParity(name, file, findings);
        }
      });
    }
  });
}

function checkFindings(file: ParsedFile, findings: readonly Finding[]): void {
  for (const f of findings) {
    assert.doesNotMatch(f.message, /\{\w+\}/, `placeholder left in message: ${f.message}`);
    assert.ok(f.span.start >= 0 && f.span.end <= file.text.length && f.span.start <= f.span.end, `span out of range for ${f.ruleId}`);
    assert.match(f.message, /^[^a-z].*[.?]$/s, `message must be a sentence: ${f.message}`);
    for (const fix of f.fixes) {
      const sorted = [...fix.edits].sort((a, b) => a.span.start - b.span.start);
      sorted.forEach((e, i) => {
        const next = sorted[i + 1];
        assert.ok(next === undefined || e.span.end <= next.span.start, `fix "${fix.title}" has overlapping edits`);
      });
    }
  }
}

/** Every fix leaves a file that parses, removes its finding, and adds nothing as severe. */
function checkFixes(name: string, file: ParsedFile, findings: readonly Finding[]): void {
  const strongest = new Map<string, number>();
  const valueKey = (g: Finding, text: string): string => `${g.ruleId}|value|${text.slice(g.span.start, g.span.end)}`;
  for (const g of findings) {
    for (const k of [placeKey(g), key(g), valueKey(g, file.text)]) strongest.set(k, Math.max(strongest.get(k) ?? 0, severityRank(g.severity)));
  }
  // A finding existed before when its rule fired at the same place, or with the same message
  // or on the same text (removing a list item shifts the paths of the items after it).
  const before = (g: Finding, text: string): number =>
    Math.max(strongest.get(placeKey(g)) ?? 0, strongest.get(key(g)) ?? 0, strongest.get(valueKey(g, text)) ?? 0);
  for (const f of findings) {
    for (const fix of f.fixes) {
      const text = applyEdits(file.text, fix.edits).text;
      const after = lintText(name, text);
      const where = `${name}: fix "${fix.title}" of ${f.ruleId}`;
      assert.deepEqual(after.file.problems.map((p) => p.message), [], `${where} leaves a file that does not parse`);
      const mapped = mapOffset(f.span.start, fix.edits);
      const still = after.findings.filter((g) => key(g) === key(f) && g.span.start <= mapped && mapped <= g.span.end);
      assert.deepEqual(still.map((g) => g.message), [], `${where} does not remove the finding`);
      // New = a rule at a place where it was not, or was less severe, before the fix.
      const worse = after.findings.filter(
        (g) => g.ruleId !== f.ruleId && severityRank(g.severity) >= severityRank(f.severity) && severityRank(g.severity) > before(g, text),
      );
      assert.deepEqual(worse.map((g) => `${g.ruleId}: ${g.message}`), [], `${where} introduces findings as severe`);
    }
  }
}

function checkSafeFixesConverge(name: string, text: string): void {
  const once = fixAll(name, text);
  const twice = fixAll(name, once.text);
  assert.equal(twice.text, once.text, `${name}: fix-all is not idempotent`);
  const left = lint(parseConfig(name, once.text)).filter((f) => !f.suppressed && f.fixes.some((x) => x.safe));
  assert.deepEqual(left.map((f) => f.ruleId), [], `${name}: safe fixes remain after fix-all`);
}

/** The same configuration as JSON yields the same (rule, path) pairs. */
function checkParity(name: string, file: ParsedFile, findings: readonly Finding[]): void {
  const json = JSON.stringify(toValue(file.documents[0]?.root), null, 2);
  const twin = lintText(name.replace(/\.ya?ml$/, '.json'), json);
  const pairs = (fs: readonly Finding[]) => fs.map((f) => `${f.ruleId} ${JSON.stringify(f.path)}`).sort();
  assert.deepEqual(pairs(twin.findings), pairs(findings), `${name}: the JSON twin disagrees`);
}
