import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { postfixDataOf } from '../../../server/src/core/formats/postfix/file-data.js';
import {
  isPostfixPath,
  postfixFormat,
  postfixMasterFormat,
  siblingNames,
} from '../../../server/src/core/formats/postfix/format.js';
import { postfixAddress, unquoteYaml } from '../../../server/src/core/formats/postfix/edits.js';
import { rangesOf } from '../../../server/src/core/formats/postfix/anchors.js';
import type { Siblings } from '../../../server/src/core/formats/types.js';
import { lintSource } from '../../../server/src/core/lint-source.js';
import type { SyntaxNode } from '../../../server/src/core/model.js';
import { IntervalSet, V4_BASE } from '../../../server/src/core/net/interval-set.js';
import { parseEntry } from '../../../server/src/core/net/entry.js';
import { repoRoot } from '../../support/repo-root.js';

// The Postfix adapter beyond the rule fixtures: which files it claims, how an instance's two
// files split the findings, the synthetic tree's spans, explain, and the examples.

function siblings(files: Readonly<Record<string, string>>): Siblings {
  return { read: (name: string) => files[name] };
}

function* scalars(node: SyntaxNode | undefined): Generator<SyntaxNode> {
  if (node === undefined) return;
  if (node.kind === 'scalar') yield node;
  else if (node.kind === 'array') for (const i of node.items) yield* scalars(i);
  else for (const e of node.entries) yield* scalars(e.value);
}

const MAIN = `compatibility_level = 3.6
mynetworks = 127.0.0.0/8, [fd00::]/64,
    10.1.2.3/24
`;
const MASTER = `smtp       inet  n       -       y       -       -       smtpd
2525       inet  n       -       y       -       -       smtpd
  -o mynetworks=127.0.0.0/8,0.0.0.0/0
`;

describe('postfix format', () => {
  test('claims main.cf and master.cf names, including templates and prefixes', () => {
    for (const p of [
      'main.cf',
      'etc/postfix/master.cf',
      'edge.main.cf',
      'x/edge.master.cf',
      'main.cf.j2',
      'master.cf.j2',
    ])
      assert.ok(isPostfixPath(p), p);
    for (const p of ['main.cf.bak', 'domain.cf', 'main.yaml', 'xmain.cf'])
      assert.equal(isPostfixPath(p), false, p);
    assert.ok(postfixMasterFormat.matchesPath('a/master.cf'));
    assert.equal(postfixMasterFormat.matchesPath('a/main.cf'), false);
  });

  test('finds the other file of the instance under its matching name first', () => {
    assert.deepEqual(siblingNames('edge.main.cf'), ['edge.master.cf', 'master.cf']);
    assert.deepEqual(siblingNames('master.cf.j2'), ['main.cf.j2', 'main.cf']);
    assert.deepEqual(siblingNames('/etc/postfix/main.cf'), ['master.cf']);
  });

  test('every scalar of the tree sits in the linted text, and entries at their items', () => {
    const file = postfixFormat.parse('main.cf', MAIN, siblings({ 'master.cf': MASTER }));
    const root = file.documents[0]?.root;
    for (const s of scalars(root)) assert.ok(s.span.end <= MAIN.length && s.span.start >= 0);
    const data = postfixDataOf(file);
    assert.ok(data !== undefined);
    const entries = [...data.nodes.values()].filter((n) => n.role === 'mynetworks');
    const written = entries
      .filter((n) => n.file === 'main.cf')
      .map((n) => (n.item === undefined ? '' : MAIN.slice(n.item.span.start, n.item.span.end)));
    assert.deepEqual(written, ['127.0.0.0/8', '[fd00::]/64', '10.1.2.3/24']);
    assert.deepEqual(
      entries.filter((n) => n.file === 'main.cf').map((n) => n.model),
      ['127.0.0.0/8', 'fd00::/64', '10.1.2.3/24'],
    );
  });

  test('each file of an instance reports the findings written in it', () => {
    const fromMain = lintSource({
      uri: 'main.cf',
      text: MAIN,
      siblings: siblings({ 'master.cf': MASTER }),
    });
    const fromMaster = lintSource({
      uri: 'master.cf',
      text: MASTER,
      siblings: siblings({ 'main.cf': MAIN }),
    });
    const at = (text: string, f: { span: { start: number; end: number } }): string =>
      text.slice(f.span.start, f.span.end);
    // The host-bits entry is main.cf's (high on Postfix); the 0.0.0.0/0 of the -o is master.cf's.
    const hostBits = fromMain.findings.filter((f) => f.ruleId === 'RLY014');
    assert.deepEqual(
      hostBits.map((f) => [at(MAIN, f), f.severity]),
      [['10.1.2.3/24', 'high']],
    );
    const open = fromMaster.findings.filter((f) => f.ruleId === 'RLY001');
    assert.deepEqual(
      open.map((f) => at(MASTER, f)),
      ['0.0.0.0/0'],
    );
    assert.match(
      open[0]?.message ?? '',
      /Listener "2525" is an open relay: `mynetworks` entry `0.0.0.0\/0` .* lets 4,294,967,296 IPv4 addresses relay/,
    );
    assert.deepEqual(
      fromMain.findings.filter((f) => f.ruleId === 'RLY001'),
      [],
    );
    assert.deepEqual(
      fromMaster.findings.filter((f) => f.ruleId === 'RLY014'),
      [],
    );
    // Model rules that do not apply to Postfix never show.
    for (const f of [...fromMain.findings, ...fromMaster.findings])
      assert.ok(
        !['RLY002', 'RLY003', 'RLY004', 'RLY005', 'RLY033', 'RLY034'].includes(f.ruleId),
        f.ruleId,
      );
  });

  test('no YAML text survives in a fix on a native file', () => {
    const { findings } = lintSource({
      uri: 'main.cf',
      text: MAIN,
      siblings: siblings({ 'master.cf': MASTER }),
    });
    for (const f of findings)
      for (const fix of f.fixes)
        for (const e of fix.edits)
          assert.doesNotMatch(e.text, /^\s*(- |\w+: )|"/, `${f.ruleId}: ${fix.title}`);
  });

  test('a suppression comment in master.cf suppresses the finding under it', () => {
    const master = MASTER.replace(
      '  -o mynetworks',
      '# relay-lint-disable-next-line RLY001, RLY011 -- lab relay, OPS-9\n  -o mynetworks',
    );
    const { findings } = lintSource({
      uri: 'master.cf',
      text: master,
      siblings: siblings({ 'main.cf': MAIN }),
    });
    const open = findings.filter((f) => f.ruleId === 'RLY001' || f.ruleId === 'RLY011');
    assert.ok(
      open.length === 2 && open.every((f) => f.suppressed),
      JSON.stringify(open.map((f) => f.ruleId)),
    );
  });

  test('explain names the other file for trace steps written there', () => {
    const file = postfixMasterFormat.parse('master.cf', MASTER, siblings({ 'main.cf': MAIN }));
    const answers = postfixMasterFormat.explain(file, {
      client: '203.0.113.7',
      to: 'user@relay-lint.invalid',
      from: 'probe@relay-lint.invalid',
      auth: false,
    });
    const byName = new Map(answers.map((a) => [a.listener, a]));
    assert.equal(byName.get('2525')?.outcome, 'allow');
    // smtp reaches the host-bits entry of main.cf's mynetworks: 451.
    assert.equal(byName.get('smtp')?.outcome, 'config-error');
    const mainSteps = (byName.get('smtp')?.trace ?? []).filter((s) => s.span !== undefined);
    assert.ok(mainSteps.length > 0 && mainSteps.every((s) => s.file === 'main.cf'));
    const own = (byName.get('2525')?.trace ?? []).find((s) => s.item.includes('0.0.0.0/0'));
    assert.equal(own?.file, undefined, 'a step in the linted file carries no file');
  });

  test('a main.cf Postfix cannot read is one RLY099, and explain says the service is down', () => {
    const text = 'compatibility_level = 3.6\nthis line has no equals sign\n';
    const { file, findings } = lintSource({ uri: 'main.cf', text });
    assert.deepEqual(
      findings.map((f) => f.ruleId),
      ['RLY099'],
    );
    const answers = postfixFormat.explain(file, {
      client: '127.0.0.1',
      to: 'user@relay-lint.invalid',
      from: 'probe@relay-lint.invalid',
      auth: false,
    });
    assert.deepEqual(
      answers.map((a) => a.outcome),
      ['service-down'],
    );
  });

  test('a master.cf with a short service line is its own RLY099, not a finding in main.cf', () => {
    const main = 'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n';
    const master = 'smtp inet n - y - - smtpd\nsubmission inet n - y\n';
    const own = lintSource({
      uri: 'master.cf',
      text: master,
      siblings: siblings({ 'main.cf': main }),
    });
    assert.deepEqual(
      own.findings.map((f) => f.ruleId),
      ['RLY099'],
    );
    const other = lintSource({
      uri: 'main.cf',
      text: main,
      siblings: siblings({ 'master.cf': master }),
    });
    assert.deepEqual(
      other.findings.map((f) => f.message),
      [],
    );
  });

  test('U(L) as model ranges keeps each family apart and loses no address', () => {
    const v4 = parseEntry('10.0.0.0/8');
    assert.ok(v4.kind === 'ok');
    const mixed = IntervalSet.of(V4_BASE - 16n, V4_BASE + 255n).union(v4.set);
    const ranges = rangesOf(mixed);
    assert.deepEqual(ranges, [
      '::fffe:ffff:fff0-::fffe:ffff:ffff',
      '0.0.0.0-0.0.0.255',
      '10.0.0.0-10.255.255.255',
    ]);
    const back = IntervalSet.union(
      ranges.map((r) => {
        const p = parseEntry(r);
        assert.ok(p.kind === 'ok', r);
        return p.set;
      }),
    );
    assert.ok(back.equals(mixed));
  });

  test('native spelling of addresses and of YAML scalars', () => {
    assert.equal(postfixAddress('fd00::/64'), '[fd00::]/64');
    assert.equal(postfixAddress('::1'), '[::1]');
    assert.equal(postfixAddress('10.0.0.0/8'), '10.0.0.0/8');
    assert.equal(unquoteYaml('"10.0.0.0/8"'), '10.0.0.0/8');
    assert.equal(unquoteYaml("'a''b'"), "a'b");
  });
});

describe('postfix examples', () => {
  const dir = path.join(repoRoot(), 'examples', 'postfix');
  const read = (p: string): string => readFileSync(path.join(dir, p), 'utf8');
  const lintIn = (folder: string, name: string) =>
    lintSource({
      uri: `examples/postfix/${folder}/${name}`,
      text: read(`${folder}/${name}`),
      siblings: {
        read: (n: string) => {
          try {
            return read(`${folder}/${n}`);
          } catch {
            return undefined;
          }
        },
      },
    });

  test('the unsafe instance is an open relay at its 0.0.0.0/0 item, with the count', () => {
    const { file, findings } = lintIn('unsafe', 'main.cf');
    const open = findings.filter((f) => f.ruleId === 'RLY001');
    assert.equal(open.length, 1);
    const f = open[0];
    assert.ok(f !== undefined);
    assert.equal(file.text.slice(f.span.start, f.span.end), '0.0.0.0/0');
    assert.match(f.message, /4,294,967,296 IPv4 addresses relay without authenticating/);
    assert.equal(f.severity, 'critical');
  });

  test('the safe instance has no finding', () => {
    for (const name of ['main.cf', 'master.cf'])
      assert.deepEqual(
        lintIn('safe', name).findings.map((f) => f.message),
        [],
        name,
      );
  });

  test('explain: 203.0.113.7 may relay through the unsafe instance, not the safe one', () => {
    const question = {
      client: '203.0.113.7',
      to: 'user@relay-lint.invalid',
      from: 'probe@relay-lint.invalid',
      auth: false,
    };
    const unsafe = lintIn('unsafe', 'main.cf').file;
    assert.ok(postfixFormat.explain(unsafe, question).every((a) => a.outcome === 'allow'));
    const safe = lintIn('safe', 'main.cf').file;
    assert.ok(postfixFormat.explain(safe, question).every((a) => a.outcome === 'deny'));
  });
});
