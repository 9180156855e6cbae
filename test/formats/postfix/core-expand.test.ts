import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compareLevels,
  expandValue,
  type PfValueSource,
} from '../../../server/src/core/formats/postfix/expand.js';
import {
  buildInstance,
  effectiveParam,
} from '../../../server/src/core/formats/postfix/instance.js';
import { parseMainCf } from '../../../server/src/core/formats/postfix/main-cf.js';
import type { Span } from '../../../server/src/core/model.js';

function lookup(vars: Record<string, string>): (n: string) => PfValueSource | undefined {
  return (n) => (Object.hasOwn(vars, n) ? { text: vars[n] ?? '', file: 'main.cf' } : undefined);
}

function ex(text: string, vars: Record<string, string>): string {
  const r = expandValue({ text, file: 'main.cf' }, lookup(vars));
  assert.equal(r.error, undefined, r.error);
  return r.text;
}

function slice(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

describe('$name expansion', () => {
  test('the three reference forms, $$ and undefined names', () => {
    const v = { a: 'A', b_c: 'BC' };
    assert.equal(ex('$a ${a} $(a) $b_c', v), 'A A A BC');
    assert.equal(ex('cost $$5', v), 'cost $5');
    assert.equal(ex('x${nope}y', v), 'xy');
  });

  test('recursion', () => {
    assert.equal(ex('$a', { a: '$b,$b', b: '${c}!', c: 'x' }), 'x!,x!');
  });

  test('conditional forms', () => {
    const v = { set: 'yes', empty: '' };
    assert.equal(ex('${set?on}', v), 'on');
    assert.equal(ex('${empty?on}', v), '');
    assert.equal(ex('${nope?on}', v), '');
    assert.equal(ex('${set:off}', v), '');
    assert.equal(ex('${empty:off}', v), 'off');
    assert.equal(ex('${nope:off}', v), 'off');
    assert.equal(ex('${set?{a, b}:{c}}', v), 'a, b');
    assert.equal(ex('${nope?{a, b}:{c}}', v), 'c');
    assert.equal(ex('${set?$set}', v), 'yes');
  });

  test('relational expressions (Postfix 3.6+)', () => {
    const v = { compatibility_level: '3.6' };
    assert.equal(ex('${{$compatibility_level} <level {2} ? {subnet} : {host}}', v), 'host');
    assert.equal(ex('${{$compatibility_level} >=level {3.6} ? {new} : {old}}', v), 'new');
    assert.equal(ex('${{a} == {a} ? {same} : {diff}}', v), 'same');
    assert.equal(ex('${{a} != {a} ? {same} : {diff}}', v), 'diff');
  });

  test('a cycle is an error, not a hang', () => {
    const r = expandValue({ text: '$a', file: 'main.cf' }, lookup({ a: '$b', b: '$a' }));
    assert.match(r.error ?? '', /nesting/);
  });

  test('syntax errors: empty name, unclosed reference', () => {
    assert.match(
      expandValue({ text: 'price 5$', file: 'main.cf' }, lookup({})).error ?? '',
      /empty macro name/,
    );
    assert.match(
      expandValue({ text: '${a', file: 'main.cf' }, lookup({})).error ?? '',
      /truncated/,
    );
  });

  test("a 10,000-deep chain fails fast at Postfix's nesting limit, without overflowing", () => {
    const vars: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) vars[`p${i}`] = `$p${i + 1}`;
    vars['p10000'] = 'end';
    const t0 = Date.now();
    const r = expandValue({ text: '$p0', file: 'main.cf' }, lookup(vars));
    assert.match(r.error ?? '', /nesting/);
    assert.ok(Date.now() - t0 < 1000);
  });

  test("exactly Postfix's limit: text inside 100 nested expansions is read, inside 101 it is not", () => {
    const chain = (n: number): Record<string, string> => {
      const v: Record<string, string> = {};
      for (let i = 0; i < n; i++) v[`p${i}`] = `$p${i + 1}`;
      v[`p${n}`] = 'end';
      return v;
    };
    // $p0 … $p99 are 100 expansions; the literal in p99 sits at level 100.
    assert.equal(expandValue({ text: '$p0', file: 'main.cf' }, lookup(chain(99))).text, 'end');
    assert.match(
      expandValue({ text: '$p0', file: 'main.cf' }, lookup(chain(100))).error ?? '',
      /nesting/,
    );
  });

  test('an expanded item points at the text it came from in its own parameter', () => {
    const text = [
      'compatibility_level = 3.6',
      'trusted = 10.0.0.0/8, 192.168.0.0/16',
      'mynetworks = 127.0.0.0/8, $trusted',
    ].join('\n');
    const inst = buildInstance(parseMainCf(text), undefined);
    const p = effectiveParam(inst, undefined, 'mynetworks');
    assert.deepEqual(
      p.items.map((i) => i.text),
      ['127.0.0.0/8', '10.0.0.0/8', '192.168.0.0/16'],
    );
    for (const i of p.items) assert.equal(slice(text, i.span), i.text);
    assert.deepEqual(p.items[1]?.via, ['trusted']);
    assert.equal(p.origin, 'main');
  });

  test('a 10,000-deep chain in main.cf makes the parameter an error quickly', () => {
    const lines = ['mynetworks = $p0'];
    for (let i = 0; i < 10_000; i++) lines.push(`p${i} = $p${i + 1}`);
    const inst = buildInstance(parseMainCf(lines.join('\n')), undefined);
    const t0 = Date.now();
    assert.match(effectiveParam(inst, undefined, 'mynetworks').error ?? '', /nesting/);
    assert.ok(Date.now() - t0 < 2000);
  });

  test('billion laughs stops at the output budget', () => {
    const vars: Record<string, string> = { a0: 'xxxxxxxxxx' };
    for (let i = 1; i < 12; i++)
      vars[`a${i}`] = Array(10)
        .fill(`$a${i - 1}`)
        .join(' ');
    const r = expandValue({ text: '$a11', file: 'main.cf' }, lookup(vars));
    assert.match(r.error ?? '', /1,000,000/);
  });
});

describe('compatibility levels compare as versions', () => {
  test('ordering', () => {
    assert.equal(compareLevels('3.6', '2'), 1);
    assert.equal(compareLevels('3.10', '3.9'), 1);
    assert.equal(compareLevels('2', '2.0.0'), 0);
    assert.equal(compareLevels('0', '1'), -1);
    assert.equal(compareLevels('3.x', '1'), undefined);
  });
});
