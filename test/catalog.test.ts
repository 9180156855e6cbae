import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { lintParsed as lint } from '../server/src/core/engine.js';
import { lintSource } from '../server/src/core/lint-source.js';
import type { Finding } from '../server/src/core/model.js';
import { parseConfig } from '../server/src/core/parse/index.js';
import { catalog } from '../server/src/core/rules/index.js';
import { repoRoot } from './support/repo-root.js';
import {
  END,
  README,
  readmeSection,
  renderRulesTable,
  START,
  tableCells,
} from './support/rules-doc.js';

const ROOT = repoRoot();
const RULES_DIR = path.join(ROOT, 'test', 'rules');
/** Postfix fixtures: `<case>.main.cf` (+ `<case>.master.cf`), one folder per rule name. */
const POSTFIX_DIR = path.join(ROOT, 'test', 'formats', 'postfix', 'rules');
const POSTFIX_FIXTURE = /^(valid|invalid)-[^.]+\.(main|master)\.cf(\.j2)?$/;
const DOCS_DIR = path.join(ROOT, 'docs', 'rules');
const FIXTURE = /^(valid|invalid)-.+\.(ya?ml|json)$/;

function fixturesOf(name: string): string[] {
  const dir = path.join(RULES_DIR, name);
  const pf = path.join(POSTFIX_DIR, name);
  return [
    ...(existsSync(dir) ? readdirSync(dir).filter((f) => FIXTURE.test(f)) : []),
    ...(existsSync(pf) ? readdirSync(pf).filter((f) => POSTFIX_FIXTURE.test(f)) : []),
  ];
}

/** Findings of every Postfix fixture file (each linted with its instance sibling). */
function postfixFindings(): Finding[] {
  if (!existsSync(POSTFIX_DIR)) return [];
  const out: Finding[] = [];
  for (const d of readdirSync(POSTFIX_DIR, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const dir = path.join(POSTFIX_DIR, d.name);
    const read = (n: string): string | undefined =>
      existsSync(path.join(dir, n)) ? readFileSync(path.join(dir, n), 'utf8') : undefined;
    for (const f of readdirSync(dir).filter((x) => POSTFIX_FIXTURE.test(x)))
      out.push(...lintSource({ uri: f, text: read(f) ?? '', siblings: { read } }).findings);
  }
  return out;
}

/** Every fixture of every rule folder, as [folder, file name]. */
function allFixtures(): [string, string][] {
  return readdirSync(RULES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      fixturesOf(d.name)
        .filter((f) => FIXTURE.test(f))
        .map((f): [string, string] => [d.name, f]),
    );
}

/** Every golden file's text, by path. */
function goldens(): Map<string, string> {
  const out = new Map<string, string>();
  for (const root of [RULES_DIR, POSTFIX_DIR]) {
    if (!existsSync(root)) continue;
    for (const d of readdirSync(root, { withFileTypes: true })) {
      if (!d.isDirectory()) continue;
      for (const f of readdirSync(path.join(root, d.name)))
        if (f.endsWith('.golden'))
          out.set(`${root}/${d.name}/${f}`, readFileSync(path.join(root, d.name, f), 'utf8'));
    }
  }
  return out;
}

/** A message template as a regular expression: fixed text literal, `{name}` as anything. */
function templatePattern(template: string): RegExp {
  const parts = template.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('.*?'));
}

describe('rule catalog', () => {
  test('ids are unique, well-formed and sorted; names are unique kebab-case', () => {
    const ids = catalog.map((r) => r.meta.id);
    const names = catalog.map((r) => r.meta.name);
    assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.join(', ')}`);
    assert.equal(new Set(names).size, names.length, `duplicate names: ${names.join(', ')}`);
    assert.deepEqual(ids, [...ids].sort(), 'the catalog is sorted by id');
    for (const r of catalog) {
      assert.match(r.meta.id, /^RLY\d{3}$/, `bad id ${r.meta.id}`);
      assert.match(r.meta.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `bad name ${r.meta.name}`);
      assert.match(r.meta.title, /^[A-Z].*[^.]$/, `${r.meta.id}: title is one line, no period`);
      assert.ok(r.meta.rationale.length > 40, `${r.meta.id}: rationale is missing`);
      assert.ok(Object.keys(r.meta.messages).length > 0, `${r.meta.id}: no messages`);
    }
  });

  for (const rule of catalog) {
    const { id, name } = rule.meta;
    describe(`${id} ${name}`, () => {
      test('has at least one valid and two invalid fixtures', () => {
        const fixtures = fixturesOf(name);
        const valid = fixtures.filter((f) => f.startsWith('valid-'));
        const invalid = fixtures.filter((f) => f.startsWith('invalid-'));
        assert.ok(valid.length >= 1, `test/rules/${name}/ needs a valid-* fixture`);
        assert.ok(invalid.length >= 2, `test/rules/${name}/ needs two invalid-* fixtures`);
      });

      test('has a documentation page', () => {
        const file = path.join(DOCS_DIR, `${id}.md`);
        assert.ok(existsSync(file), `docs/rules/${id}.md is missing`);
        const first = readFileSync(file, 'utf8').split(/\r?\n/, 1)[0];
        assert.equal(first, `# ${id} ${name}`, `docs/rules/${id}.md must start with its title`);
      });
    });
  }

  test('every documentation page belongs to a rule', () => {
    const ids = new Set(catalog.map((r) => r.meta.id));
    const pages = existsSync(DOCS_DIR)
      ? readdirSync(DOCS_DIR).filter((f) => f.endsWith('.md'))
      : [];
    assert.deepEqual(
      pages.filter((p) => !ids.has(p.replace(/\.md$/, ''))),
      [],
    );
  });

  test('meta.fixable agrees with the fixes the fixtures produce', () => {
    const fixed = new Map<string, { any: boolean; safe: boolean }>();
    for (const [folder, name] of allFixtures()) {
      const text = readFileSync(path.join(RULES_DIR, folder, name), 'utf8');
      for (const f of lint(parseConfig(name, text))) {
        if (f.fixes.length === 0) continue;
        const seen = fixed.get(f.ruleId) ?? { any: false, safe: false };
        fixed.set(f.ruleId, { any: true, safe: seen.safe || f.fixes.some((x) => x.safe) });
      }
    }
    // Product rules fire on their own format's fixtures (model rules' fixes there are native
    // edits, whose safety may differ: RLY014's network form is not safe on Postfix).
    for (const f of postfixFindings()) {
      if (f.fixes.length === 0 || !/^RLY06\d$/.test(f.ruleId)) continue;
      const seen = fixed.get(f.ruleId) ?? { any: false, safe: false };
      fixed.set(f.ruleId, { any: true, safe: seen.safe || f.fixes.some((x) => x.safe) });
    }
    const problems: string[] = [];
    for (const r of catalog) {
      const seen = fixed.get(r.meta.id) ?? { any: false, safe: false };
      if ((r.meta.fixable !== undefined) !== seen.any)
        problems.push(
          `${r.meta.id}: meta.fixable is ${r.meta.fixable ?? 'unset'} but the fixtures ${seen.any ? 'produce' : 'produce no'} fixes`,
        );
      if ((r.meta.fixable === 'safe') !== seen.safe)
        problems.push(
          `${r.meta.id}: meta.fixable is ${r.meta.fixable ?? 'unset'} but the fixtures ${seen.safe ? 'produce' : 'produce no'} safe fixes`,
        );
    }
    assert.deepEqual(problems, []);
  });

  test('every message of every rule appears in some golden file', () => {
    const lines = [...goldens().values()].flatMap((g) => g.split('\n'));
    const missing: string[] = [];
    for (const r of catalog) {
      const tag = `${r.meta.id} ${r.meta.name} (`;
      const own = lines.filter((l) => l.includes(tag));
      for (const [messageId, template] of Object.entries<string>(r.meta.messages)) {
        const pattern = templatePattern(template);
        if (!own.some((l) => pattern.test(l))) missing.push(`${r.meta.id} ${messageId}`);
      }
    }
    assert.deepEqual(missing, [], 'messages that no fixture golden shows');
  });

  test('the README rules table matches the catalog (npm run docs)', () => {
    const readme = readFileSync(README(), 'utf8');
    const section = readmeSection(readme);
    assert.ok(section !== undefined, `README.md needs ${START} and ${END} markers`);
    assert.deepEqual(
      tableCells(section),
      tableCells(renderRulesTable()),
      'README.md rules table is out of date: run npm run docs',
    );
  });
});
