import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { explainPostfix } from '../../../server/src/core/formats/postfix/explain.js';
import type { ListenerAnswer } from '../../../server/src/core/formats/types.js';
import { fixturesDir, type OracleFixture } from '../../oracle/record.js';

/**
 * Replays answers a real Postfix 3.7 gave (recorded by test/oracle/run.ts with ORACLE_RECORD=1:
 * the rows of POSTFIX-ORACLE §4 and every disagreement the differential test found) through
 * explainPostfix, without Postfix: the linter must give the outcome of the real reply.
 */

const dir = fixturesDir();
const files = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

function answerFor(answers: readonly ListenerAnswer[], listener: string): ListenerAnswer {
  const norm = (s: string): string => s.replace(/^\[|\](?=:)/g, '').toLowerCase();
  const a = answers.find((x) => norm(x.listener) === norm(listener));
  assert.ok(a, `no answer for ${listener}; got ${answers.map((x) => x.listener).join(', ')}`);
  return a;
}

describe('real Postfix answers replayed through explainPostfix', () => {
  test('fixtures are present', () => {
    assert.ok(files.length >= 40, `expected the recorded oracle fixtures in ${dir}`);
  });
  for (const file of files) {
    const fx = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as OracleFixture;
    describe(`${file}: ${fx.source}`, () => {
      for (const q of fx.questions) {
        const what = `${q.id}: ${q.question.client} → ${q.question.to}${q.question.auth ? ' (AUTH)' : ''}`;
        test(`${what}: ${q.expected} (${q.real.reply.split('\n')[0] ?? ''})`, () => {
          const answers = explainPostfix(fx.mainCf, fx.masterCf, q.question, (p) =>
            Object.hasOwn(fx.files, p) ? fx.files[p] : undefined,
          );
          const a = answerFor(answers, q.listener);
          assert.equal(
            a.outcome,
            q.expected,
            `real Postfix: ${q.real.reply}; relay-lint: ${a.outcome} (${a.reason})`,
          );
        });
      }
    });
  }
});
