import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits } from '../../../../server/src/core/fix/apply.js';
import {
  insertKey,
  removeItem,
  setScalar,
  upsertKey,
} from '../../../../server/src/core/fix/edits.js';
import { parseConfig } from '../../../../server/src/core/parse/index.js';
import { at } from '../../../../server/src/core/tree.js';

function edit(
  name: string,
  text: string,
  make: (f: ReturnType<typeof parseConfig>) => ReturnType<typeof setScalar>,
): string {
  const f = parseConfig(name, text);
  const out = applyEdits(text, make(f)).text;
  assert.deepEqual(parseConfig(name, out).problems, [], `result parses:\n${out}`);
  return out;
}

function arrayAt(f: ReturnType<typeof parseConfig>, path: (string | number)[]) {
  const n = at(f.documents[0]?.root, path);
  if (n?.kind !== 'array') throw new Error('not an array');
  return n;
}

function objectAt(f: ReturnType<typeof parseConfig>, path: (string | number)[]) {
  const n = at(f.documents[0]?.root, path);
  if (n?.kind !== 'object') throw new Error('not an object');
  return n;
}

describe('fix edits', () => {
  test('setScalar keeps quoting style and spells per format', () => {
    assert.equal(
      edit('a.yaml', "m: 'x'\n", (f) => setScalar(f, at(f.documents[0]?.root, ['m'])!, 'onlyList')),
      "m: 'onlyList'\n",
    );
    assert.equal(
      edit('a.yaml', 'm: x\n', (f) => setScalar(f, at(f.documents[0]?.root, ['m'])!, '10.1')),
      'm: "10.1"\n',
    );
    assert.equal(
      edit('a.json', '{"m": "x"}', (f) => setScalar(f, at(f.documents[0]?.root, ['m'])!, false)),
      '{"m": false}',
    );
  });

  test('removeItem in a block sequence removes the line', () => {
    const text = 'list:\n  - a\n  - b\n  - c\nnext: 1\n';
    assert.equal(
      edit('a.yaml', text, (f) => removeItem(f, f.documents[0]?.root, arrayAt(f, ['list']), 1)),
      'list:\n  - a\n  - c\nnext: 1\n',
    );
    assert.equal(
      edit('a.yaml', text, (f) => removeItem(f, f.documents[0]?.root, arrayAt(f, ['list']), 2)),
      'list:\n  - a\n  - b\nnext: 1\n',
    );
  });

  test('removeItem of an object item removes all its lines', () => {
    const text = 'list:\n  - address: 10.0.0.1\n    note: x\n  - b\n';
    assert.equal(
      edit('a.yaml', text, (f) => removeItem(f, f.documents[0]?.root, arrayAt(f, ['list']), 0)),
      'list:\n  - b\n',
    );
  });

  test('removing the only item leaves an empty list', () => {
    assert.equal(
      edit('a.yaml', 'list:\n  - a\nnext: 1\n', (f) =>
        removeItem(f, f.documents[0]?.root, arrayAt(f, ['list']), 0),
      ),
      'list: []\nnext: 1\n',
    );
    assert.equal(
      edit('a.json', '{"list": ["a"]}', (f) =>
        removeItem(f, f.documents[0]?.root, arrayAt(f, ['list']), 0),
      ),
      '{"list": []}',
    );
  });

  test('removeItem in flow sequences and JSON handles commas', () => {
    assert.equal(
      edit('a.yaml', 'l: [a, b, c]\n', (f) =>
        removeItem(f, f.documents[0]?.root, arrayAt(f, ['l']), 1),
      ),
      'l: [a, c]\n',
    );
    assert.equal(
      edit('a.yaml', 'l: [a, b, c]\n', (f) =>
        removeItem(f, f.documents[0]?.root, arrayAt(f, ['l']), 2),
      ),
      'l: [a, b]\n',
    );
    assert.equal(
      edit('a.json', '{"l": ["a", "b"]}', (f) =>
        removeItem(f, f.documents[0]?.root, arrayAt(f, ['l']), 0),
      ),
      '{"l": ["b"]}',
    );
  });

  test('insertKey indents like the siblings (block, flow, JSON)', () => {
    assert.equal(
      edit('a.yaml', 'auth:\n  basic: true\nx: 1\n', (f) =>
        insertKey(f, objectAt(f, ['auth']), 'requireTls', true),
      ),
      'auth:\n  basic: true\n  requireTls: true\nx: 1\n',
    );
    assert.equal(
      edit('a.yaml', 'auth: { basic: true }\n', (f) =>
        insertKey(f, objectAt(f, ['auth']), 'requireTls', true),
      ),
      'auth: { basic: true, requireTls: true }\n',
    );
    assert.equal(
      edit('a.json', '{\n  "auth": {\n    "basic": true\n  }\n}', (f) =>
        insertKey(f, objectAt(f, ['auth']), 'requireTls', true),
      ),
      '{\n  "auth": {\n    "basic": true,\n    "requireTls": true\n  }\n}',
    );
  });

  test('insertKey renders nested values in block style', () => {
    const out = edit('a.yaml', 'l:\n  name: x\n', (f) =>
      insertKey(f, objectAt(f, ['l']), 'relay', { mode: 'onlyList', list: [] }),
    );
    assert.equal(out, 'l:\n  name: x\n  relay:\n    mode: onlyList\n    list: []\n');
  });

  test('insertKey at the end of a file without a final newline', () => {
    assert.equal(
      edit('a.yaml', 'a:\n  b: 1', (f) => insertKey(f, objectAt(f, ['a']), 'c', 2)),
      'a:\n  b: 1\n  c: 2',
    );
  });

  test('upsertKey replaces an existing value', () => {
    assert.equal(
      edit('a.yaml', 'a:\n  t: false\n', (f) =>
        upsertKey(f, at(f.documents[0]?.root, ['a']), 't', true),
      ),
      'a:\n  t: true\n',
    );
  });
});
