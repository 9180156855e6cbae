import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fastParseYaml } from '../../../../server/src/core/parse/fast-yaml.js';
import { parseYaml, parseYamlReference } from '../../../../server/src/core/parse/yaml.js';
import { relayConfig } from '../../../support/relay-corpus.js';

// The fast reader (fast-yaml.ts) must build exactly what the reference (yaml's composed
// documents) builds: same values, same spans, same paths, and no result at all where the
// reference finds a problem. Whenever it answers, the answer is compared with the reference.

const ROOT = path.resolve(__dirname, '../../../../../..');

function yamlFiles(dir: string, acc: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'out' || name === 'node_modules') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, acc);
    else if (/\.ya?ml$/.test(name)) acc.push(p);
  }
  return acc;
}

/** Checks one text; returns whether the fast reader answered. */
function agrees(text: string, label: string): boolean {
  const fast = fastParseYaml(text);
  if (fast === undefined) return false;
  const reference = parseYamlReference(text);
  assert.deepEqual(reference.problems, [], `${label}: the fast reader answered an invalid file`);
  assert.deepStrictEqual(fast, reference.documents, `${label}: trees differ`);
  return true;
}

describe('fast YAML reader ≡ yaml reference', () => {
  test('every example and test fixture', () => {
    const files = [
      ...yamlFiles(path.join(ROOT, 'examples')),
      ...yamlFiles(path.join(ROOT, 'test')),
    ];
    assert.ok(files.length > 50, 'the fixtures were found');
    let answered = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (agrees(text, f)) answered++;
      // The same file with Windows line ends.
      agrees(text.replace(/\r?\n/g, '\r\n'), `${f} (CRLF)`);
    }
    // Most relay files are in the subset: the fast path is really exercised here.
    assert.ok(answered > files.length / 2, `fast reader answered ${answered} of ${files.length}`);
  });

  test('the CLI corpus (test/support/relay-corpus.ts)', () => {
    for (let i = 0; i < 500; i++) {
      assert.ok(agrees(relayConfig(i), `corpus ${i}`), `corpus file ${i} is in the subset`);
      const crlf = relayConfig(i).replace(/\n/g, '\r\n');
      assert.ok(agrees(crlf, `corpus ${i} (CRLF)`), `corpus file ${i} with CRLF is in the subset`);
    }
  });

  test('parseYaml gives the reference result, fast or not', () => {
    for (const text of [
      relayConfig(7),
      'a: &x 1\nb: *x\n',
      'a: 1\na: 2\n',
      'a: [1,\n  2]\n',
      'a: "x\\ty"\n',
      '---\na: 1\n---\nb: 2\n',
      'a:\n  - b\n - c\n',
      'a: |\n  text\n',
      "a: 'it''s'\n",
      '',
    ]) {
      assert.deepStrictEqual(parseYaml(text), parseYamlReference(text), JSON.stringify(text));
    }
  });

  test('random documents in and around the subset', () => {
    fc.assert(
      fc.property(documentText, (text) => {
        agrees(text, JSON.stringify(text));
      }),
      { numRuns: 1500 },
    );
  });

  test('random documents with a character inserted, removed or replaced', () => {
    const mutated = fc
      .tuple(documentText, fc.nat(), fc.constantFrom(...MUTATION_CHARS), fc.nat(2))
      .map(([text, at, ch, how]) => {
        const i = text.length === 0 ? 0 : at % text.length;
        if (how === 0) return text.slice(0, i) + ch + text.slice(i);
        if (how === 1) return text.slice(0, i) + text.slice(i + 1);
        return text.slice(0, i) + ch + text.slice(i + 1);
      });
    fc.assert(
      fc.property(mutated, (text) => {
        agrees(text, JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
  });

  test('the fast reader answers for most valid generated documents', () => {
    const sample = fc.sample(documentText, { numRuns: 300, seed: 42 });
    const valid = sample.filter((t) => parseYamlReference(t).problems.length === 0);
    const missed = valid.filter((t) => fastParseYaml(t) === undefined);
    assert.ok(
      missed.length < valid.length / 2,
      `missed ${missed.length} of ${valid.length}, e.g. ${missed
        .slice(0, 5)
        .map((t) => JSON.stringify(t))
        .join('\n')}`,
    );
  });
});

const MUTATION_CHARS = [
  ' ',
  '\n',
  '\r',
  ':',
  '-',
  '#',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ',',
  '&',
  '*',
  '!',
];

// Random YAML text: a tree of mappings, sequences and scalars, written in block or flow style
// with random quoting, comments, blank lines and empty values, including text the fast reader
// must leave to the reference (tricky scalars, numbers of every kind, reserved words).

type Tree = string | readonly Tree[] | { readonly [k: string]: Tree };

const scalarText = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      '10.0.0.0/8',
      '192.168.1.25',
      'fd00::/64',
      '::1',
      '10.0.0.1-10.0.0.9',
      '10.0.0.0/255.0.0.0',
      'onlyList',
      'allExcept',
      'SMTP relay',
      '0.0.0.0:25',
      'true',
      '1',
    ),
  },
  fc.constantFrom(
    'true',
    'False',
    'null',
    '~',
    '1',
    '-7',
    '+3',
    '010',
    '1.5',
    '.5',
    '1e3',
    '0x1f',
    '0o17',
    '.inf',
    'yes',
    'a b',
    'a: b',
    'a #b',
    'a#b',
    'x:y',
    '-x',
    '- x',
    '[x]',
    'x]',
    "it's",
    'say "hi"',
    'back\\slash',
    '',
    ' lead',
    'trail ',
    '@at',
    '`tick',
    '%pct',
    '?q',
    'é',
  ),
  fc.stringMatching(/^[a-z0-9.:/ -]{1,12}$/),
);

const keyText = fc.oneof(
  { weight: 20, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/) },
  fc.constantFrom('name', 'mode', 'list', 'relay', 'a-b', 'a_b', 'true', 'null', '1', 'x y', 'on'),
);

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarText,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(keyText, tie('node'), { maxKeys: 4 }),
  ),
})).node;

interface Style {
  readonly indent: number;
  readonly flow: boolean;
  readonly quote: 0 | 1 | 2;
  readonly comment: boolean;
  readonly blank: boolean;
}

const styles = fc.infiniteStream(
  fc.record({
    indent: fc.constantFrom(1, 2, 2, 4),
    flow: fc.boolean(),
    quote: fc.constantFrom<0 | 1 | 2>(0, 0, 0, 1, 2),
    comment: fc.boolean(),
    blank: fc.boolean(),
  }),
);

function quoteScalar(s: string, quote: 0 | 1 | 2): string {
  if (quote === 1) return `"${s}"`;
  if (quote === 2) return `'${s.replace(/'/g, "''")}'`;
  return s;
}

function flowText(t: Tree, next: () => Style): string {
  if (typeof t === 'string') return quoteScalar(t, next().quote);
  if (Array.isArray(t)) return `[${t.map((x: Tree) => flowText(x, next)).join(', ')}]`;
  return `{ ${Object.entries(t)
    .map(([k, v]) => `${k}: ${flowText(v, next)}`)
    .join(', ')} }`;
}

/** Lines for `t` as the value after `head` (`key:` or `-`) at column `col`. */
function blockLines(head: string, t: Tree, col: number, next: () => Style): string[] {
  const s = next();
  const pad = ' '.repeat(col);
  const tail = s.comment ? '  # note' : '';
  const extra = s.blank ? [''] : [];
  const empty =
    typeof t !== 'string' && (Array.isArray(t) ? t.length === 0 : Object.keys(t).length === 0);
  if (typeof t === 'string' || s.flow || empty) {
    const v = typeof t === 'string' && t === '' && s.quote === 0 ? '' : flowText(t, () => s);
    return [...extra, `${pad}${head}${v === '' ? '' : ' '}${v}${tail}`];
  }
  const inner = col + s.indent;
  const out = [...extra, `${pad}${head}${tail}`];
  if (Array.isArray(t)) {
    for (const item of t as readonly Tree[]) {
      const entries = typeof item === 'object' && !Array.isArray(item) ? Object.entries(item) : [];
      const [first, ...rest] = entries;
      if (first !== undefined && !next().flow) {
        // A compact mapping: `- key: value`, the other keys under the first.
        out.push(...blockLines(`- ${first[0]}:`, first[1], inner, next));
        for (const [k, v] of rest) out.push(...blockLines(`${k}:`, v, inner + 2, next));
      } else out.push(...blockLines('-', item, inner, next));
    }
  } else {
    for (const [k, v] of Object.entries(t)) out.push(...blockLines(`${k}:`, v, inner, next));
  }
  return out;
}

const documentText: fc.Arbitrary<string> = fc
  .tuple(
    fc.dictionary(keyText, tree, { minKeys: 1, maxKeys: 5 }),
    styles,
    fc.boolean(),
    fc.boolean(),
  )
  .map(([root, stream, header, crlf]) => {
    const next = (): Style => stream.next().value as Style;
    const lines = header ? ['# relay configuration', ''] : [];
    for (const [k, v] of Object.entries(root)) lines.push(...blockLines(`${k}:`, v, 0, next));
    const eol = crlf ? '\r\n' : '\n';
    return `${lines.join(eol)}${eol}`;
  });
