import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../../support/repo-root.js';

// The TextMate grammars for main.cf and master.cf (syntaxes/). VS Code runs them with
// Oniguruma; the patterns here use only syntax that JavaScript's RegExp shares, so the test
// compiles every pattern and checks what the important ones capture on real lines.

interface Rule {
  readonly match?: string;
  readonly begin?: string;
  readonly end?: string;
  readonly include?: string;
  readonly patterns?: readonly Rule[];
  readonly captures?: Readonly<Record<string, Rule>>;
  readonly beginCaptures?: Readonly<Record<string, Rule>>;
  readonly endCaptures?: Readonly<Record<string, Rule>>;
  readonly name?: string;
}

interface Grammar {
  readonly scopeName: string;
  readonly patterns: readonly Rule[];
  readonly repository: Readonly<Record<string, Rule>>;
}

function load(file: string): Grammar {
  const text = readFileSync(path.join(repoRoot(), 'syntaxes', file), 'utf8');
  return JSON.parse(text) as Grammar;
}

const main = load('postfix-main.tmLanguage.json');
const master = load('postfix-master.tmLanguage.json');
// Comments include the suppression-directive patterns of the injection grammar.
const directives = load('relay-lint-directives.injection.json');
const grammars = new Map([
  [main.scopeName, main],
  [master.scopeName, master],
  [directives.scopeName, directives],
]);

function* rulesOf(rule: Rule): Generator<Rule> {
  yield rule;
  for (const r of rule.patterns ?? []) yield* rulesOf(r);
  for (const caps of [rule.captures, rule.beginCaptures, rule.endCaptures])
    for (const r of Object.values(caps ?? {})) yield* rulesOf(r);
}

function allRules(g: Grammar): Rule[] {
  return [...g.patterns, ...Object.values(g.repository)].flatMap((r) => [...rulesOf(r)]);
}

function repo(g: Grammar, key: string): Rule {
  const r = g.repository[key];
  assert.ok(r !== undefined, `no repository rule ${key}`);
  return r;
}

function regex(source: string | undefined): RegExp {
  assert.ok(source !== undefined);
  return new RegExp(source);
}

describe('postfix grammars', () => {
  for (const g of [main, master]) {
    test(`${g.scopeName}: every pattern compiles and every include resolves`, () => {
      for (const r of allRules(g)) {
        for (const p of [r.match, r.begin, r.end])
          if (p !== undefined) assert.doesNotThrow(() => new RegExp(p), p);
        if (r.include === undefined || r.include === '$self') continue;
        const [scope, key] = r.include.startsWith('#')
          ? [g.scopeName, r.include.slice(1)]
          : r.include.split('#');
        const target = grammars.get(scope ?? '');
        assert.ok(target !== undefined, `include of an unknown grammar: ${r.include}`);
        assert.ok(
          key !== undefined && target.repository[key] !== undefined,
          `dangling include ${r.include}`,
        );
      }
    });
  }

  test('main.cf: parameter, comment, expansions, restrictions, tables', () => {
    const comment = regex(repo(main, 'comment').match).exec(
      '# relay-lint-disable-next-line RLY064 -- ok',
    );
    const directive = regex(repo(directives, 'directive').match).exec(comment?.[2] ?? '');
    assert.equal(directive?.[1], 'relay-lint-disable-next-line');
    const param = regex(repo(main, 'parameter').begin).exec('smtpd_relay_restrictions = permit');
    assert.equal(param?.[1], 'smtpd_relay_restrictions');
    assert.equal(param?.[2], '=');
    // A continuation line (leading blank) does not start a parameter; a comment is a comment.
    assert.equal(regex(repo(main, 'parameter').begin).test('    10.0.0.0/8'), false);
    assert.equal(regex(repo(main, 'comment').match).exec('  # note')?.[1], '#');
    const expansion = (repo(main, 'expansion').patterns ?? []).map((p) => p.match ?? p.begin);
    const matches = (text: string): boolean =>
      expansion.some((e) => e !== undefined && new RegExp(e).test(text));
    for (const t of ['$myhostname', '${mydomain}', '$(mydomain)', '${relay_domains?reject}', '$$'])
      assert.ok(matches(t), `expansion ${t}`);
    const restriction = (repo(main, 'restriction').patterns ?? []).map((p) => regex(p.match));
    for (const t of ['permit_mynetworks', 'reject_unauth_destination', 'check_client_access'])
      assert.ok(
        restriction.some((r) => r.test(t)),
        t,
      );
    assert.equal(
      restriction.some((r) => r.test('permit_mynetwork')),
      false,
      'a typo is not a restriction',
    );
    assert.equal(regex(repo(main, 'table').match).exec('cidr:/etc/postfix/x')?.[1], 'cidr');
    const address = (repo(main, 'address').patterns ?? []).map((p) => regex(p.match));
    assert.equal(address[0]?.exec('[2001:db8::]/32')?.[3], '2001:db8::');
    assert.equal(address[1]?.exec('!10.0.0.0/8')?.[1], '!');
    assert.ok(address[2]?.test('::1/128'), 'an unbracketed IPv6 network is flagged');
  });

  test('master.cf: service columns and -o overrides', () => {
    const service = regex(repo(master, 'service').begin).exec(
      'submission inet n       -       y       -       -       smtpd',
    );
    assert.deepEqual(service?.slice(1, 9), [
      'submission',
      'inet',
      'n',
      '-',
      'y',
      '-',
      '-',
      'smtpd',
    ]);
    assert.equal(regex(repo(master, 'service').begin).test('smtp inet n - y smtpd'), false);
    const [braced, plain] = (repo(master, 'option').patterns ?? []).map((p) =>
      regex(p.match ?? p.begin),
    );
    assert.deepEqual(plain?.exec('-o smtpd_tls_auth_only=yes')?.slice(1, 5), [
      '-o',
      'smtpd_tls_auth_only',
      '=',
      'yes',
    ]);
    assert.equal(
      braced?.exec('-o { smtpd_relay_restrictions = permit_sasl_authenticated, reject }')?.[3],
      'smtpd_relay_restrictions',
    );
  });
});
