import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lintParsed as lint } from '../../../server/src/core/engine.js';
import { fingerprintOf, fnv1a64 } from '../../../server/src/core/fingerprint.js';
import type { Finding } from '../../../server/src/core/model.js';
import { parseConfig } from '../../../server/src/core/parse/index.js';

const TEXT = `version: 1
servers:
  - name: SMTP-01
    listeners:
      - name: Default
        authentication:
          anonymous: false
          integratedWindows: true
        relay:
          mode: onlyList
          list:
            - 10.8.0.0/16
            - 10.9.0.0/16
`;

function findingsOf(text: string, path = 'servers/edge.relay.yaml'): Finding[] {
  return lint(parseConfig(path, text), { fingerprintPath: path });
}

/** The RLY010 finding on the entry written as `entry`. */
function broad(findings: readonly Finding[], text: string, entry: string): Finding {
  const f = findings.find(
    (x) => x.ruleId === 'RLY010' && text.slice(x.span.start, x.span.end) === entry,
  );
  assert.ok(f, `no RLY010 finding on ${entry}`);
  return f;
}

describe('fingerprints', () => {
  test('survive inserting lines above the finding', () => {
    const moved = TEXT.replace(
      'servers:\n',
      '# A comment block added later\n# that moves every line down\nservers:\n',
    ).replace('          list:\n', '          list:\n            # billing\n');
    const a = broad(findingsOf(TEXT), TEXT, '10.9.0.0/16');
    const b = broad(findingsOf(moved), moved, '10.9.0.0/16');
    assert.notEqual(a.span.start, b.span.start, 'the finding did move');
    assert.equal(a.fingerprint, b.fingerprint);
  });

  test('change when the value changes, and differ between entries, rules and files', () => {
    const changed = TEXT.replace('10.9.0.0/16', '10.9.0.0/17');
    const a = broad(findingsOf(TEXT), TEXT, '10.9.0.0/16');
    const b = broad(findingsOf(changed), changed, '10.9.0.0/17');
    assert.notEqual(a.fingerprint, b.fingerprint);
    const other = broad(findingsOf(TEXT), TEXT, '10.8.0.0/16');
    assert.notEqual(a.fingerprint, other.fingerprint, 'same value elsewhere in the tree');
    const elsewhere = broad(findingsOf(TEXT, 'servers/core.relay.yaml'), TEXT, '10.9.0.0/16');
    assert.notEqual(a.fingerprint, elsewhere.fingerprint, 'another file');
  });

  test('every finding of a file has a distinct fingerprint here', () => {
    const all = findingsOf(TEXT);
    assert.equal(new Set(all.map((f) => f.fingerprint)).size, all.length);
  });

  test('white space in the value is normalised; the hash is stable', () => {
    const base = { ruleId: 'RLY010', file: 'a.relay.yaml', document: 0, path: ['x', 1] };
    assert.equal(
      fingerprintOf({ ...base, value: '{ address: 10.0.0.0/8 }' }),
      fingerprintOf({ ...base, value: '{\n  address:   10.0.0.0/8\n}' }),
    );
    assert.notEqual(
      fingerprintOf({ ...base, value: 'a' }),
      fingerprintOf({ ...base, document: 1, value: 'a' }),
    );
    // FNV-1a 64 test vectors.
    assert.equal(fnv1a64(''), 'cbf29ce484222325');
    assert.equal(fnv1a64('a'), 'af63dc4c8601ec8c');
    assert.match(fingerprintOf({ ...base, value: 'a' }), /^[0-9a-f]{16}$/);
  });
});
