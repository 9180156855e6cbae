import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lintParsed as lint } from '../../server/src/core/engine.js';
import { fixAll } from '../../server/src/core/fix/fix-all.js';
import type { Finding } from '../../server/src/core/model.js';
import { type Format, parseConfig } from '../../server/src/core/parse/index.js';
import { LIMITS } from '../../server/src/core/parse/limits.js';
import {
  assertClearFindings,
  randomBytes,
  readFixture,
  ruleFixtures,
  seeded,
} from '../support/hostile.js';

// Hostile input for the engine (parseConfig + lint): every case ends in findings that say what is
// wrong, with a position, and never in an exception or a hang. The `timeout`s are hang guards
// (a regression to the old quadratic paths takes minutes), not speed assertions.
const GUARD = { timeout: 60_000 };

function lintText(name: string, text: string, format?: Format): Finding[] {
  return lint(parseConfig(name, text, format));
}

const VALID = `version: 1
servers:
  - name: SMTP-EDGE-01
    listeners:
      - name: Default
        authentication:
          anonymous: false
        relay:
          mode: onlyList
          list:
            - 10.0.0.5
`;

describe('hostile input: engine', () => {
  test('random bytes, decoded as a reader would, give a finding with a position', GUARD, () => {
    const decoder = new TextDecoder('utf-8');
    for (let seed = 1; seed <= 6; seed++) {
      const text = decoder.decode(randomBytes(seed, seed * 4096));
      for (const format of ['yaml', 'json'] as const) {
        const findings = lintText(`random.relay.${format}`, text, format);
        assertClearFindings(text, findings, /binary|not valid UTF-8/);
      }
    }
  });

  test('random printable noise parses or fails with syntax findings, never throws', GUARD, () => {
    const next = seeded(7);
    const alphabet = 'ab: -[]{}#&*!|>\'",?\n\t  10.0.0.1/8';
    for (let round = 0; round < 40; round++) {
      let text = '';
      const length = 1 + Math.floor(next() * 400);
      for (let i = 0; i < length; i++)
        text += alphabet.charAt(Math.floor(next() * alphabet.length));
      for (const format of ['yaml', 'json'] as const) {
        assertClearFindings(text, lintText(`noise.relay.${format}`, text, format));
      }
    }
  });

  test('binary content (NUL bytes) is refused at the first NUL', () => {
    const text = `version: 1\nservers: []\n\u0000\u0001\u0002`;
    const [hit] = assertClearFindings(text, lintText('bin.relay.yaml', text), /binary/);
    assert.equal(hit?.span.start, text.indexOf('\u0000'));
  });

  test('a replacement character (U+FFFD) is text: the file is analysed (issue 11 #5)', () => {
    // Invalid bytes are found by the host's strict decoder (test/hostile/cli.test.ts); a text
    // that contains U+FFFD is a valid text.
    const text =
      'version: 1\nservers:\n  - name: "ok \uFFFD"\n    product: other\n    listeners: 7\n';
    const findings = lintText('fffd.relay.yaml', text);
    assert.ok(!findings.some((f) => /UTF-8/.test(f.message)));
    assert.ok(
      findings.some((f) => f.ruleId === 'RLY000'),
      'the document is analysed: the schema reports listeners',
    );
  });

  test('a file at exactly the size limit is analysed; one character more is refused', GUARD, () => {
    const max = LIMITS.maxFileSize;
    const pad = (n: number): string => `${VALID}#${'x'.repeat(n - VALID.length - 2)}\n`;
    const atLimit = pad(max);
    assert.equal(atLimit.length, max);
    const ok = lintText('limit.relay.yaml', atLimit);
    assert.deepEqual(
      ok.filter((f) => f.ruleId === 'RLY099').map((f) => f.message),
      [],
      'a file of exactly the limit is analysed',
    );
    const over = pad(max + 1);
    const [hit] = assertClearFindings(over, lintText('over.relay.yaml', over), /over the limit/);
    assert.match(hit?.message ?? '', /5,242,881 characters .* limit of 5,242,880 \(5 MiB\)/);
    assert.deepEqual(hit?.span, { start: 0, end: 0 });
  });

  test('a 50 MB file is refused with its size, without being parsed', GUARD, () => {
    const line = `  - name: ${'x'.repeat(1012)}\n`;
    const text = `version: 1\nservers:\n${line.repeat((50 * 1024 * 1024) / line.length)}`;
    const findings = lintText('huge.relay.yaml', text);
    assert.equal(findings.length, 1);
    assertClearFindings(text, findings, /\(50\.0 MiB\), over the limit/);
  });

  describe('10,000-deep nesting gives one finding at the level that crosses the limit', () => {
    const N = 10_000;
    const cases: [string, Format, string][] = [
      ['JSON arrays', 'json', '['.repeat(N) + ']'.repeat(N)],
      ['JSON objects', 'json', '{"a":'.repeat(N) + '1' + '}'.repeat(N)],
      ['JSON unclosed', 'json', '['.repeat(N)],
      ['YAML flow sequences', 'yaml', '['.repeat(N) + ']'.repeat(N)],
      ['YAML flow mappings', 'yaml', '{a: '.repeat(N) + '1' + '}'.repeat(N)],
      ['YAML flow under a key', 'yaml', `version: 1\nservers: ${'['.repeat(N)}`],
      ['YAML flow after an anchor', 'yaml', `a: &x ${'[ '.repeat(N)}`],
      ['YAML compact block sequences', 'yaml', `${'- '.repeat(N)}x\n`],
      ['YAML complex keys', 'yaml', `${'? '.repeat(N)}x\n`],
      // 10,000 levels of indentation take 50 MB, over the size limit; 700 cross the depth limit.
      [
        'YAML block mappings (one more space per level)',
        'yaml',
        Array.from({ length: 700 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'),
      ],
      ['YAML flow after an unclosed quote', 'yaml', `a: "x\n${'['.repeat(N)}`],
      ['YAML flow inside a block scalar position', 'yaml', `a: |\n${'['.repeat(N)}`],
      ['YAML flow in a second document', 'yaml', `a: 1\n---\n${'{'.repeat(N)}`],
    ];
    for (const [name, format, text] of cases) {
      test(name, GUARD, () => {
        const findings = lintText(`deep.relay.${format}`, text, format);
        const [hit] = assertClearFindings(
          text,
          findings,
          new RegExp(`deeper than ${LIMITS.maxDepth}`),
        );
        assert.equal(findings.length, 1, findings.map((f) => f.message).join(' | '));
        assert.equal(hit?.span.end, (hit?.span.start ?? 0) + 1);
      });
    }

    test('real nesting just under the limit is analysed', () => {
      const depth = LIMITS.maxDepth - 10;
      const text = `version: 1\nservers: []\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
      const findings = lintText('ok.relay.yaml', text);
      assert.ok(!findings.some((f) => /deeper/.test(f.message)));
      assert.ok(
        findings.some((f) => f.ruleId === 'RLY000'),
        'the unknown key is reported',
      );
    });
  });

  test('an alias bomb (billion laughs) stops at the node budget with one finding', GUARD, () => {
    let text = 'version: 1\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let prev = 'a';
    for (let i = 0; i < 9; i++) {
      text += `b${i}: &b${i} [${Array<string>(9).fill(`*${prev}`).join(', ')}]\n`;
      prev = `b${i}`;
    }
    text += `servers: *${prev}\n`;
    const findings = lintText('bomb.relay.yaml', text);
    const [hit] = assertClearFindings(
      text,
      findings,
      /more than 200,000 nodes \(an alias bomb\?\)/,
    );
    assert.ok(text.slice(hit?.span.start, hit?.span.end).startsWith('*'), 'at an alias');
  });

  test('2,000 aliases of one anchor are resolved in one pass', GUARD, () => {
    // Resolving each alias by walking the document took 13 s for 5,000 aliases, 4 min for 20,000.
    const text = `version: 1\nservers: []\nx: &a 10.0.0.1\ny:\n${'  - *a\n'.repeat(2_000)}`;
    assertClearFindings(text, lintText('aliases.relay.yaml', text), /Unknown key "x"/);
  });

  test('an alias to a missing anchor is a syntax finding at the alias', () => {
    const text = VALID.replace('- 10.0.0.5', '- *nowhere');
    const [hit] = assertClearFindings(text, lintText('alias.relay.yaml', text), /Unresolved alias/);
    assert.equal(text.slice(hit?.span.start, hit?.span.end), '*nowhere');
  });

  describe('duplicate keys are syntax findings at the repeated key, naming it', () => {
    const cases: [string, string][] = [
      ['block.relay.yaml', 'version: 1\nservers: []\nversion: 1\n'],
      ['flow.relay.yaml', '{version: 1, servers: [], version: 1}\n'],
      ['quoted.relay.yaml', 'version: 1\nservers: []\n"version": 1\n'],
      ['dup.relay.json', '{"version": 1, "servers": [], "version": 1}'],
    ];
    for (const [name, text] of cases) {
      test(name, () => {
        const [hit] = assertClearFindings(text, lintText(name, text), /"version" is repeated/);
        assert.equal(
          hit?.span.start,
          text.lastIndexOf('version') -
            (name.startsWith('quoted') || name.endsWith('json') ? 1 : 0),
        );
        assert.equal(hit?.ruleId, 'RLY099');
      });
    }

    test('a map of 2,000 keys, one repeated', GUARD, () => {
      let text = 'version: 1\nservers: []\nx:\n';
      for (let i = 0; i < 2_000; i++) text += `  k${i}: 1\n`;
      text += '  k7: 2\n';
      const file = parseConfig('keys.relay.yaml', text);
      assert.deepEqual(
        file.problems.map((p) => p.message),
        ['Map keys must be unique: "k7" is repeated.'],
      );
    });
  });

  test('a flood of syntax errors is cut to the first 100 and a count', GUARD, () => {
    const text = `a: "x" ${']'.repeat(5_000)}\n`;
    const findings = lintText('flood.relay.yaml', text);
    assert.equal(findings.length, LIMITS.maxProblems + 1);
    assertClearFindings(text, findings, /^4,900 more syntax errors follow/);
  });

  test('lone surrogates neither throw nor shift the spans after them', () => {
    const text = VALID.replace('- name: Default', '- name: "bad \uD800 name"').replace(
      '- 10.0.0.5',
      '- { address: 8.8.8.0/24, note: "\uDC00" }',
    );
    const findings = lintText('surrogate.relay.yaml', text);
    const broad = findings.find((f) => f.ruleId === 'RLY010' || f.ruleId === 'RLY001');
    assert.ok(broad !== undefined, findings.map((f) => f.ruleId).join(','));
    const entry = findings.find((f) => f.ruleId === 'RLY010');
    assert.equal(
      text.slice(entry?.span.start, entry?.span.end),
      '{ address: 8.8.8.0/24, note: "\uDC00" }',
    );
    const json = `{"version": 1, "servers": [{"name": "\uD800", "listeners": "\uDFFF"}]}`;
    const [hit] = assertClearFindings(json, lintText('surrogate.relay.json', json), /./);
    assert.ok(hit !== undefined);
  });

  describe('CRLF and a BOM change no finding, only the offsets', () => {
    for (const rel of ruleFixtures('invalid')) {
      test(rel, () => {
        const lf = readFixture(rel).replace(/\r\n/g, '\n');
        const crlf = `\uFEFF${lf.replace(/\n/g, '\r\n')}`;
        const a = lintText(rel, lf);
        const b = lintText(rel, crlf);
        assert.equal(b.length, a.length, 'same number of findings');
        const shift = (offset: number): number => {
          // One code unit for the BOM, one per line break before the offset.
          let breaks = 0;
          for (let i = lf.indexOf('\n'); i >= 0 && i < offset; i = lf.indexOf('\n', i + 1))
            breaks++;
          return offset + 1 + breaks;
        };
        a.forEach((f, i) => {
          const g = b[i];
          assert.equal(g?.ruleId, f.ruleId);
          assert.equal(g.message, f.message);
          assert.deepEqual(
            g.span,
            { start: shift(f.span.start), end: shift(f.span.end) },
            `${f.ruleId} at ${lf.slice(f.span.start, f.span.end)}`,
          );
          assert.equal(
            crlf.slice(g.span.start, g.span.end).replace(/\r\n/g, '\n'),
            lf.slice(f.span.start, f.span.end),
          );
          assert.equal(g.fixes.length, f.fixes.length);
        });
      });
    }
  });

  describe('fix-all keeps CRLF line breaks and the BOM', () => {
    for (const rel of ruleFixtures('invalid')) {
      test(rel, () => {
        const crlf = `\uFEFF${readFixture(rel).replace(/\r\n/g, '\n').replace(/\n/g, '\r\n')}`;
        const fixed = fixAll({ uri: rel, text: crlf }).text;
        assert.ok(fixed.startsWith('\uFEFF'), 'BOM kept');
        assert.doesNotMatch(fixed, /(?<!\r)\n/, 'no bare LF introduced');
      });
    }
  });
});
