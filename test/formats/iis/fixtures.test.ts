import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { checkFindings, checkFixAllIdempotent, checkFixes } from '../../support/fix-checks.js';
import { assertGolden, renderGolden } from '../../support/golden.js';
import { repoRoot } from '../../support/repo-root.js';
import { lintMetabase } from './helpers.js';

// Golden fixtures: each metabase with its findings drawn under the lines and its fixes as diffs
// (UPDATE_GOLDEN=1 rewrites them). Every fix must leave a metabase that parses (so every blob
// decodes) and remove the finding it was offered for.

const dirs = [
  path.join(repoRoot(), 'test', 'formats', 'iis', 'fixtures'),
  path.join(repoRoot(), 'examples', 'iis'),
];

for (const dir of dirs) {
  describe(`IIS fixtures in ${path.relative(repoRoot(), dir)}`, () => {
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.xml'))
      .sort()) {
      test(name, () => {
        const text = readFileSync(path.join(dir, name), 'utf8');
        const { file, findings } = lintMetabase(text, name);
        assert.deepEqual(file.problems, [], `${name} does not parse`);
        checkFindings(file, findings);
        assertGolden(
          path.join(repoRoot(), 'test', 'formats', 'iis', 'golden', `${name}.golden`),
          renderGolden(file, findings),
        );
        checkFixes(name, file, findings, { noWorse: false });
        // No model fix (a YAML edit) may reach a metabase.
        for (const f of findings)
          for (const fix of f.fixes)
            for (const e of fix.edits)
              assert.doesNotMatch(e.text, /^(true|false|onlyList|allExcept)$|: /, fix.title);
        checkFixAllIdempotent(name, text);
      });
    }
  });
}
