import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Finding, ParsedFile } from '../../server/src/core/model.js';
import { catalog } from '../../server/src/core/rules/index.js';
import { toValue } from '../../server/src/core/tree.js';
import {
  checkFindings,
  checkFixAllIdempotent,
  checkFixes,
  lintText,
} from '../support/fix-checks.js';
import { assertGolden, renderGolden } from '../support/golden.js';
import { repoRoot } from '../support/repo-root.js';

const RULES_DIR = path.join(repoRoot(), 'test', 'rules');
const FIXTURE = /^(valid|invalid)-.+\.(ya?ml|json)$/;
/** Rules whose findings come from comments or the parser, so a JSON twin means nothing. */
const NO_PARITY = new Set(['syntax', 'suppression-without-reason', 'unused-suppression']);

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
        checkSentences(findings);
        checkFixes(name, file, findings);
        assertGolden(path.join(dir, `${name}.golden`), renderGolden(file, findings));
        checkFixAllIdempotent(name, text);
        if (!NO_PARITY.has(folder) && file.format === 'yaml' && file.documents.length === 1 && !text.includes('relay-lint-disable')) {
          checkParity(name, file, findings);
        }
      });
    }
  });
}

/** Messages are sentences: they start with a capital (or a quote) and end with a full stop. */
function checkSentences(findings: readonly Finding[]): void {
  for (const f of findings) assert.match(f.message, /^[^a-z].*[.?]$/s, `message must be a sentence: ${f.message}`);
}

/** The same configuration as JSON yields the same (rule, path) pairs. */
function checkParity(name: string, file: ParsedFile, findings: readonly Finding[]): void {
  const json = JSON.stringify(toValue(file.documents[0]?.root), null, 2);
  const twin = lintText(name.replace(/\.ya?ml$/, '.json'), json);
  const pairs = (fs: readonly Finding[]) => fs.map((f) => `${f.ruleId} ${JSON.stringify(f.path)}`).sort();
  assert.deepEqual(pairs(twin.findings), pairs(findings), `${name}: the JSON twin disagrees`);
}
