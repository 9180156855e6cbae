import assert from 'node:assert/strict';
import { applyEdits } from '../../server/src/core/fix/apply.js';
import { fixAll } from '../../server/src/core/fix/fix-all.js';
import {
  type Finding,
  type Fix,
  type ParsedFile,
  severityRank,
} from '../../server/src/core/model.js';
import type { Siblings } from '../../server/src/core/formats/types.js';
import { lintSource } from '../../server/src/core/lint-source.js';

// The checks test/rules/rules.test.ts applies to every fixture, as functions other suites reuse
// (the property tests run them on generated configurations).

export function lintText(
  name: string,
  text: string,
  siblings?: Siblings,
): { file: ParsedFile; findings: Finding[] } {
  return lintSource({ uri: name, text, ...(siblings !== undefined ? { siblings } : {}) });
}

function key(f: Finding): string {
  return `${f.ruleId}|${f.message}`;
}

function placeKey(f: Finding): string {
  return `${f.ruleId}|${f.document}|${JSON.stringify(f.path)}`;
}

function valueKey(f: Finding, text: string): string {
  return `${f.ruleId}|value|${text.slice(f.span.start, f.span.end)}`;
}

/** Where `offset` lands after `edits` (a position inside a replaced region maps to its start). */
export function mapOffset(
  offset: number,
  edits: readonly { span: { start: number; end: number }; text: string }[],
): number {
  let delta = 0;
  for (const e of [...edits].sort((a, b) => a.span.start - b.span.start)) {
    if (e.span.end <= offset) delta += e.text.length - (e.span.end - e.span.start);
    else if (e.span.start <= offset) return e.span.start + delta;
  }
  return offset + delta;
}

/** Spans inside the text, messages without placeholders, fixes without overlapping edits. */
export function checkFindings(file: ParsedFile, findings: readonly Finding[]): void {
  for (const f of findings) {
    assert.doesNotMatch(f.message, /\{\w+\}/, `placeholder left in message: ${f.message}`);
    assert.ok(
      f.span.start >= 0 && f.span.end <= file.text.length && f.span.start <= f.span.end,
      `span out of range for ${f.ruleId}`,
    );
    for (const fix of f.fixes) {
      const sorted = [...fix.edits].sort((a, b) => a.span.start - b.span.start);
      sorted.forEach((e, i) => {
        assert.ok(e.span.start >= 0 && e.span.end <= file.text.length, `edit out of range`);
        const next = sorted[i + 1];
        assert.ok(
          next === undefined || e.span.end <= next.span.start,
          `fix "${fix.title}" has overlapping edits`,
        );
      });
    }
  }
}

export interface FixCheckOptions {
  /**
   * Also require that the fix adds no finding as severe as the fixed one where there was none (or
   * a weaker one) before. Right for hand-written fixtures; on generated configurations a fix may
   * rightly reveal a finding an ambiguity hid (RLY021 "write 192.168.0.0" in an allExcept list
   * reveals RLY005), and removing a list item renumbers the paths the comparison goes by.
   */
  readonly noWorse?: boolean;
  /** The files beside a native file (a Postfix main.cf's master.cf), for the re-lint. */
  readonly siblings?: Siblings;
}

/**
 * One fix leaves a file that parses and removes the finding it was offered for (and, with
 * `noWorse`, adds no finding as severe as that one).
 */
export function checkFix(
  name: string,
  file: ParsedFile,
  findings: readonly Finding[],
  f: Finding,
  fix: Fix,
  options: FixCheckOptions = {},
): void {
  // A finding existed before when its rule fired at the same place, with the same message, or
  // on the same text (removing a list item shifts the paths of the items after it).
  const strongest = new Map<string, number>();
  for (const g of findings) {
    for (const k of [placeKey(g), key(g), valueKey(g, file.text)])
      strongest.set(k, Math.max(strongest.get(k) ?? 0, severityRank(g.severity)));
  }
  const before = (g: Finding, source: string): number =>
    Math.max(
      strongest.get(placeKey(g)) ?? 0,
      strongest.get(key(g)) ?? 0,
      strongest.get(valueKey(g, source)) ?? 0,
    );
  const text = applyEdits(file.text, fix.edits).text;
  const after = lintText(name, text, options.siblings);
  const where = `${name}: fix "${fix.title}" of ${f.ruleId} (${f.message})`;
  assert.deepEqual(
    after.file.problems.map((p) => p.message),
    [],
    `${where} leaves a file that does not parse:\n${text}`,
  );
  const mapped = mapOffset(f.span.start, fix.edits);
  const still = after.findings.filter(
    (g) => key(g) === key(f) && g.span.start <= mapped && mapped <= g.span.end,
  );
  // With two identical entries, removing the first slides the second (same message) into its
  // place: the finding is gone if there is one fewer of its kind.
  const count = (fs: readonly Finding[]): number => fs.filter((g) => key(g) === key(f)).length;
  if (count(after.findings) < count(findings)) still.length = 0;
  assert.deepEqual(
    still.map((g) => g.message),
    [],
    `${where} does not remove the finding:\n${text}`,
  );
  if (options.noWorse !== true) return;
  const worse = after.findings.filter(
    (g) =>
      g.ruleId !== f.ruleId &&
      severityRank(g.severity) >= severityRank(f.severity) &&
      severityRank(g.severity) > before(g, text),
  );
  assert.deepEqual(
    worse.map((g) => `${g.ruleId}: ${g.message}`),
    [],
    `${where} introduces findings as severe:\n${text}`,
  );
}

/** checkFix for every fix of every finding (the rule fixtures' check: `noWorse` on). */
export function checkFixes(
  name: string,
  file: ParsedFile,
  findings: readonly Finding[],
  options: FixCheckOptions = { noWorse: true },
): void {
  for (const f of findings)
    for (const fix of f.fixes) checkFix(name, file, findings, f, fix, options);
}

/** Fix-all reaches a fixed point: a second run changes nothing and no safe fix is left. */
export function checkFixAllIdempotent(name: string, text: string, siblings?: Siblings): string {
  const extra = siblings !== undefined ? { siblings } : {};
  const once = fixAll({ uri: name, text, ...extra });
  const twice = fixAll({ uri: name, text: once.text, ...extra });
  assert.equal(twice.text, once.text, `${name}: fix-all is not idempotent:\n${text}`);
  const left = lintText(name, once.text, siblings).findings.filter(
    (f) => !f.suppressed && f.fixes.some((x) => x.safe),
  );
  assert.deepEqual(
    left.map((f) => f.ruleId),
    [],
    `${name}: safe fixes remain after fix-all:\n${text}`,
  );
  return once.text;
}
