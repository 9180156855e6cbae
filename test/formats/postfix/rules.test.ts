import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { applyEdits } from '../../../server/src/core/fix/apply.js';
import { fixAll } from '../../../server/src/core/fix/fix-all.js';
import type { Siblings } from '../../../server/src/core/formats/types.js';
import { lintSource } from '../../../server/src/core/lint-source.js';
import type { Finding, Fix, ParsedFile } from '../../../server/src/core/model.js';
import { ruleByToken } from '../../../server/src/core/rules/index.js';
import { mapOffset } from '../../support/fix-checks.js';
import { assertGolden, renderGolden } from '../../support/golden.js';
import { repoRoot } from '../../support/repo-root.js';

// Postfix fixtures, in the style of test/rules/rules.test.ts: test/formats/postfix/rules/<rule
// name>/{valid,invalid}-<case>.main.cf, with an optional <same case>.master.cf beside it that
// forms one instance with it. Each file of an instance is linted on its own (the other read as a
// sibling); every file of an invalid case has a golden; every fix leaves a file that parses and
// removes its finding; fix-all reaches a fixed point.

const DIR = path.join(repoRoot(), 'test', 'formats', 'postfix', 'rules');
const FIXTURE = /^((?:valid|invalid)-[^.]+)\.(main|master)\.cf(\.j2)?$/;

function siblingsIn(dir: string): Siblings {
  return {
    read: (name: string) => {
      const p = path.join(dir, path.basename(name));
      return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
    },
  };
}

function lintFile(
  dir: string,
  name: string,
  text: string,
): { file: ParsedFile; findings: Finding[] } {
  return lintSource({ uri: name, text, siblings: siblingsIn(dir) });
}

function key(f: Finding): string {
  return `${f.ruleId}|${f.message}`;
}

/** Spans inside the text, messages that are sentences without placeholders, fixes that do not overlap. */
function checkFindings(file: ParsedFile, findings: readonly Finding[]): void {
  for (const f of findings) {
    assert.doesNotMatch(f.message, /\{\w+\}/, `placeholder left in message: ${f.message}`);
    assert.match(f.message, /^[^a-z].*[.?]$/s, `message must be a sentence: ${f.message}`);
    assert.ok(f.span.start >= 0 && f.span.end <= file.text.length && f.span.start <= f.span.end);
    for (const r of f.related) assert.ok(r.span.end <= file.text.length, `related out of range`);
    for (const fix of f.fixes) {
      const sorted = [...fix.edits].sort((a, b) => a.span.start - b.span.start);
      sorted.forEach((e, i) => {
        const next = sorted[i + 1];
        assert.ok(e.span.end <= file.text.length, `edit out of range in "${fix.title}"`);
        assert.ok(
          next === undefined || e.span.end <= next.span.start,
          `overlapping edits in "${fix.title}"`,
        );
      });
    }
  }
}

/** The fix leaves a file that parses, and its finding is gone. */
function checkFix(
  dir: string,
  name: string,
  file: ParsedFile,
  findings: readonly Finding[],
  f: Finding,
  fix: Fix,
): void {
  const text = applyEdits(file.text, fix.edits).text;
  const after = lintFile(dir, name, text);
  const where = `${name}: fix "${fix.title}" of ${f.ruleId} (${f.message})`;
  assert.deepEqual(
    after.findings.filter((g) => g.ruleId === 'RLY099').map((g) => g.message),
    [],
    `${where} leaves a file that does not parse:\n${text}`,
  );
  const mapped = mapOffset(f.span.start, fix.edits);
  const count = (fs: readonly Finding[]): number => fs.filter((g) => key(g) === key(f)).length;
  const still = after.findings.filter(
    (g) => key(g) === key(f) && g.span.start <= mapped && mapped <= g.span.end,
  );
  if (count(after.findings) < count(findings)) still.length = 0;
  assert.deepEqual(
    still.map((g) => g.message),
    [],
    `${where} does not remove the finding:\n${text}`,
  );
}

const folders = existsSync(DIR)
  ? readdirSync(DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  : [];

for (const folder of folders) {
  const dir = path.join(DIR, folder);
  // `suppression` holds suppression cases (no rule of its own); every other folder is a rule's.
  const rule = folder === 'suppression' ? undefined : ruleByToken(folder);
  describe(`postfix ${folder}`, () => {
    test('names a rule of the catalog', () => {
      assert.ok(folder === 'suppression' || rule !== undefined, `no rule named ${folder}`);
    });
    const cases = new Map<string, string[]>();
    for (const f of readdirSync(dir).sort()) {
      const m = FIXTURE.exec(f);
      if (m === null) continue;
      const list = cases.get(m[1] ?? '') ?? [];
      list.push(f);
      cases.set(m[1] ?? '', list);
    }
    for (const [name, files] of cases) {
      test(name, () => {
        const results = files.map((f) => {
          const text = readFileSync(path.join(dir, f), 'utf8');
          return { name: f, text, ...lintFile(dir, f, text) };
        });
        const all = results.flatMap((r) => r.findings);
        const own = rule === undefined ? [] : all.filter((f) => f.ruleId === rule.meta.id);
        if (name.startsWith('valid-')) {
          assert.deepEqual(
            own.map((f) => f.message),
            [],
            `${name} must not fire ${folder}`,
          );
          assert.deepEqual(
            all.filter((f) => f.ruleId === 'RLY099').map((f) => f.message),
            [],
          );
          return;
        }
        if (rule !== undefined) assert.ok(own.length > 0, `${name} must fire ${rule.meta.id}`);
        else
          assert.ok(
            all.some((f) => f.suppressed),
            `${name} must hold a suppressed finding`,
          );
        for (const r of results) {
          checkFindings(r.file, r.findings);
          for (const f of r.findings)
            for (const fix of f.fixes) checkFix(dir, r.name, r.file, r.findings, f, fix);
          assertGolden(path.join(dir, `${r.name}.golden`), renderGolden(r.file, r.findings));
          const once = fixAll({ uri: r.name, text: r.text, siblings: siblingsIn(dir) });
          const twice = fixAll({ uri: r.name, text: once.text, siblings: siblingsIn(dir) });
          assert.equal(twice.text, once.text, `${r.name}: fix-all is not idempotent`);
        }
      });
    }
  });
}
