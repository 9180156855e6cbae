import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { lintParsed as lint } from '../../server/src/core/engine.js';
import { fixAll } from '../../server/src/core/fix/fix-all.js';
import { parseConfig } from '../../server/src/core/parse/index.js';
import { LIMITS } from '../../server/src/core/parse/limits.js';
import { toValue } from '../../server/src/core/tree.js';
import { checkFindings, checkFix, checkFixAllIdempotent, lintText } from '../support/fix-checks.js';
import { mutate, mutation, relayConfig, render, style, toPlain } from './relay-config.js';

// Property tests of the engine on generated relay configurations. Runs are few so that the suite
// takes seconds; a failure prints fast-check's seed and path, and FC_SEED=<seed> replays it.
const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;
function params(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, ...(seed !== undefined ? { seed } : {}) };
}

const GUARD = { timeout: 120_000 };

describe('property: engine', () => {
  test('the three renderings parse to the configuration they render', GUARD, () => {
    fc.assert(
      fc.property(relayConfig, style, (config, s) => {
        const { name, text } = render(config, s);
        const file = parseConfig(name, text);
        assert.deepEqual(file.problems, [], text);
        assert.deepEqual(toValue(file.documents[0]?.root), toPlain(config), text);
      }),
      params(20),
    );
  });

  test(
    'configurations and mutations of them: never a throw, bounded findings, sane spans',
    GUARD,
    () => {
      fc.assert(
        fc.property(
          relayConfig,
          style,
          fc.array(mutation, { maxLength: 6 }),
          (config, s, mutations) => {
            const rendered = render(config, s);
            const text = mutate(rendered.text, mutations);
            const file = parseConfig(rendered.name, text);
            const findings = lint(file);
            checkFindings(file, findings);
            const lines = file.lineStarts.length;
            assert.ok(
              findings.length <= 12 * lines + LIMITS.maxProblems + 1,
              `${findings.length} findings for ${lines} lines`,
            );
            for (const f of findings) {
              assert.match(f.ruleId, /^(RLY\d{3}|internal)$/);
              assert.notEqual(f.ruleId, 'internal', `a rule threw: ${f.message}\n${text}`);
            }
            // Fix-all on broken text: no throw, and a result that lints without throwing.
            const fixed = fixAll({ uri: rendered.name, text: text });
            lint(parseConfig(rendered.name, fixed.text));
          },
        ),
        params(40),
      );
    },
  );

  test('every fix of a generated configuration parses and removes its finding', GUARD, () => {
    fc.assert(
      fc.property(relayConfig, style, fc.nat(), (config, s, pick) => {
        const { name, text } = render(config, s);
        const { file, findings } = lintText(name, text);
        const offered = findings.flatMap((f) => f.fixes.map((fix) => ({ f, fix })));
        // Up to 8 fixes per configuration, spread over the list, keep each run short.
        const step = Math.max(1, Math.ceil(offered.length / 8));
        for (let i = pick % step; i < offered.length; i += step) {
          const o = offered[i];
          if (o !== undefined) checkFix(name, file, findings, o.f, o.fix);
        }
      }),
      params(15),
    );
  });

  test('fix-all twice equals fix-all once, and leaves no safe fix', GUARD, () => {
    fc.assert(
      fc.property(relayConfig, style, (config, s) => {
        const { name, text } = render(config, s);
        const fixed = checkFixAllIdempotent(name, text);
        assert.deepEqual(parseConfig(name, fixed).problems, [], 'fix-all output parses');
      }),
      params(15),
    );
  });

  test('fix-all writes the network of an IPv4-mapped CIDR shorter than /96', () => {
    const text = [
      'version: 1',
      'servers:',
      '  - name: A',
      '    listeners:',
      '      - name: L',
      '        authentication: { anonymous: false, integratedWindows: true }',
      '        relay: { mode: onlyList, list: ["::ffff:10.0.0.1/82"] }',
      '',
    ].join('\n');
    checkFixAllIdempotent('mapped.relay.yaml', text);
  });
});
