import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SyntaxNode } from '../../../../server/src/core/model.js';
import { parseConfig } from '../../../../server/src/core/parse/index.js';
import { at } from '../../../../server/src/core/tree.js';

function textAt(text: string, node: SyntaxNode | undefined): string {
  assert.ok(node, 'node exists');
  return text.slice(node.span.start, node.span.end);
}

const YAML = `version: 1
servers:
  - name: EDGE   # trailing comment
    listeners:
      - name: "Default"
        authentication: { anonymous: true }
        relay:
          mode: allExcept
          list: [10.0.0.0/8, '192.168.1.1']
`;

describe('YAML parsing', () => {
  test('every value has an exact span; trailing comments are not included', () => {
    const f = parseConfig('a.relay.yaml', YAML);
    const root = f.documents[0]?.root;
    assert.equal(textAt(YAML, at(root, ['servers', 0, 'name'])), 'EDGE');
    assert.equal(textAt(YAML, at(root, ['servers', 0, 'listeners', 0, 'name'])), '"Default"');
    assert.equal(
      textAt(YAML, at(root, ['servers', 0, 'listeners', 0, 'authentication', 'anonymous'])),
      'true',
    );
    assert.equal(
      textAt(YAML, at(root, ['servers', 0, 'listeners', 0, 'relay', 'list', 1])),
      "'192.168.1.1'",
    );
  });

  test('keys have their own spans', () => {
    const f = parseConfig('a.relay.yaml', YAML);
    const relay = at(f.documents[0]?.root, ['servers', 0, 'listeners', 0]);
    assert.equal(relay?.kind, 'object');
    if (relay?.kind !== 'object') return;
    const e = relay.entries.find((x) => x.key === 'relay');
    assert.equal(YAML.slice(e?.keySpan.start, e?.keySpan.end), 'relay');
  });

  test('CRLF and BOM keep offsets exact', () => {
    const text = '\uFEFF' + YAML.replace(/\n/g, '\r\n');
    const f = parseConfig('a.relay.yaml', text);
    assert.deepEqual(f.problems, []);
    assert.equal(
      textAt(text, at(f.documents[0]?.root, ['servers', 0, 'listeners', 0, 'relay', 'mode'])),
      'allExcept',
    );
    assert.equal(f.lineStarts.length, YAML.split('\n').length);
  });

  test('non-ASCII text counts UTF-16 code units', () => {
    const text = 'version: 1\nservers:\n  - name: "Zürich 📮"\n    listeners: []\n';
    const f = parseConfig('a.relay.yaml', text);
    assert.equal(textAt(text, at(f.documents[0]?.root, ['servers', 0, 'listeners'])), '[]');
  });

  test('multi-document streams give one tree per document', () => {
    const text =
      'version: 1\nservers: []\n---\nversion: 1\nservers:\n  - name: B\n    listeners: []\n';
    const f = parseConfig('a.relay.yaml', text);
    assert.equal(f.documents.length, 2);
    assert.equal(textAt(text, at(f.documents[1]?.root, ['servers', 0, 'name'])), 'B');
  });

  test('numbers keep their source text (10.10 is not 10.1)', () => {
    const text = 'list:\n  - 10.10\n  - 167772161\n';
    const f = parseConfig('a.relay.yaml', text);
    const n = at(f.documents[0]?.root, ['list', 0]);
    assert.equal(n?.kind === 'scalar' ? n.source : '', '10.10');
  });

  test('aliases resolve to the alias site', () => {
    const text = 'a: &x { anonymous: true }\nb: *x\n';
    const f = parseConfig('a.relay.yaml', text);
    const b = at(f.documents[0]?.root, ['b', 'anonymous']);
    assert.equal(textAt(text, b), '*x');
  });

  test('an alias bomb is a problem, not a hang', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const f = parseConfig('bomb.relay.yaml', lines.join('\n') + '\n');
    assert.ok(f.problems.some((p) => /alias bomb/.test(p.message)));
  });

  test('syntax errors carry positions; duplicate keys are errors', () => {
    const f = parseConfig('a.relay.yaml', 'a: 1\na: 2\n');
    assert.equal(f.problems.length, 1);
    assert.match(f.problems[0]?.message ?? '', /unique/);
    assert.equal(f.problems[0]?.span.start, 5);
  });

  test('comments are found outside scalars only', () => {
    const text = 'a: "# not a comment" # yes\n# whole line\nb: x#y\n';
    const f = parseConfig('a.relay.yaml', text);
    assert.deepEqual(
      f.comments.map((c) => [c.text, c.trailing]),
      [
        [' yes', true],
        [' whole line', false],
      ],
    );
  });

  test('binary input and oversized files get one clear problem', () => {
    assert.match(parseConfig('a.relay.yaml', 'a\u0000b').problems[0]?.message ?? '', /binary/);
    assert.match(
      parseConfig('a.relay.yaml', 'x'.repeat(100), 'yaml', { maxFileSize: 10 }).problems[0]
        ?.message ?? '',
      /limit/,
    );
  });
});

describe('JSON parsing', () => {
  const JSON_TEXT = '{\n  "version": 1,\n  "servers": [{ "name": "A", "listeners": [] }]\n}\n';

  test('spans match the source', () => {
    const f = parseConfig('a.relay.json', JSON_TEXT);
    assert.equal(f.format, 'json');
    assert.equal(textAt(JSON_TEXT, at(f.documents[0]?.root, ['servers', 0, 'name'])), '"A"');
  });

  test('comments, trailing commas and duplicate keys are syntax problems', () => {
    assert.ok(parseConfig('a.relay.json', '{ "a": 1, }').problems.length > 0);
    assert.ok(parseConfig('a.relay.json', '{ // c\n "a": 1 }').problems.length > 0);
    const dup = parseConfig('a.relay.json', '{ "a": 1, "a": 2 }');
    assert.match(dup.problems[0]?.message ?? '', /"a" is repeated/);
  });
});
