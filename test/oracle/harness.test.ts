import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatV6, netOf, parseNet, parseV4, parseV6 } from './addr.js';
import { judge, type LinterView } from './compare.js';
import { fixedCases } from './fixed-cases.js';
import { generateCases, LOOPBACK_PROFILE, NETNS_PROFILE, type Profile } from './generator.js';
import { classifyReply } from './instance.js';

/**
 * The oracle harness's own logic, without Postfix: address arithmetic, the generator's promises
 * (seeded, ≥ 5 questions, only askable clients, boundaries), reply classes and the judge.
 */

function askable(profile: Profile, client: string): boolean {
  if (client.includes(':')) return profile.v6Pool.includes(client);
  if (profile.v4Excluded.includes(client)) return false;
  const v = parseV4(client);
  return profile.v4Spaces.some((s) => v >= s.first && v <= s.last);
}

describe('oracle addresses', () => {
  test('IPv6 text round-trips in RFC 5952 form', () => {
    for (const t of [
      '::1',
      '::',
      '2001:db8::7',
      '2001:db8:0:1::1',
      'fe80::fc:ff:fe00:1',
      '1:2:3:4:5:6:7:8',
    ]) {
      assert.equal(formatV6(parseV6(t)), t);
    }
    assert.equal(formatV6(parseV6('2001:0db8:0000:0000:0001:0000:0000:0001')), '2001:db8::1:0:0:1');
  });
  test('networks clear host bits and span their size', () => {
    const n = netOf(4, parseV4('127.0.0.5'), 24);
    assert.equal(n.first, parseV4('127.0.0.0'));
    assert.equal(n.last, parseV4('127.0.0.255'));
    const v6 = parseNet('2001:db8::7/126');
    assert.equal(formatV6(v6.first), '2001:db8::4');
    assert.equal(formatV6(v6.last), '2001:db8::7');
  });
});

describe('oracle generator', () => {
  for (const profile of [LOOPBACK_PROFILE, NETNS_PROFILE]) {
    test(`${profile.runner}: a seed names one run`, () => {
      assert.deepEqual(generateCases(profile, 7, 20), generateCases(profile, 7, 20));
      assert.notDeepEqual(generateCases(profile, 7, 20), generateCases(profile, 8, 20));
    });
    test(`${profile.runner}: ≥ 5 questions per configuration, every client askable`, () => {
      const cases = generateCases(profile, 20261204, 200);
      const ids = new Set(cases.map((c) => c.id));
      assert.equal(ids.size, cases.length);
      for (const c of cases) {
        assert.ok(c.probes.length >= 5, `${c.id}: ${c.probes.length} questions`);
        for (const p of c.probes) assert.ok(askable(profile, p.client), `${c.id}: ${p.client}`);
      }
    });
  }
  test('asks on the boundaries of a listed network', () => {
    // Over many configurations, every IPv4 network written as `a.b.c.d/len` without host bits
    // in mynetworks has at least one question on one of its four boundary addresses.
    let checked = 0;
    for (const c of generateCases(LOOPBACK_PROFILE, 99, 300)) {
      const m = /^mynetworks = (127\.\d+\.\d+\.\d+\/\d+)$/m.exec(c.params);
      if (!m?.[1]) continue;
      const n = parseNet(m[1]);
      const edges = [n.first - 1n, n.first, n.last, n.last + 1n];
      const asked = c.probes.some(
        (p) => !p.client.includes(':') && edges.includes(parseV4(p.client)),
      );
      assert.ok(asked, `${c.id}: no question on a boundary of ${m[1]}`);
      checked++;
    }
    assert.ok(checked >= 10, `only ${checked} single-network configurations drawn`);
  });
  test('covers the notations SPEC §7.5 names', () => {
    const all = [
      ...generateCases(LOOPBACK_PROFILE, 20261204, 170),
      ...generateCases(NETNS_PROFILE, 20261204, 170),
    ]
      .map((c) => c.params)
      .join('\n');
    for (const re of [
      /^compatibility_level = 2$/m,
      /^mynetworks = .*!/m,
      /^mynetworks = .*\[[0-9a-f:]+\]\/\d+/m,
      /^mynetworks = .*cidr:/m,
      /^mynetworks =$/m,
      /^mynetworks_style = host$/m,
      /^mynetworks_style = subnet$/m,
      /check_client_access cidr:/,
      /check_sender_access inline:\{/,
      /^relay_domains = static:ALL$/m,
      /^relay_domains = \.example\.com$/m,
      /^parent_domain_matches_subdomains =$/m,
      /^smtpd_sasl_auth_enable = yes$/m,
      /permit_mynetwork\b|reject_unauth_destinations|premit|permit_my_networks|PERMIT_MYNETWORKS/,
    ]) {
      assert.match(all, re);
    }
  });
  test('fixed cases carry the class POSTFIX-ORACLE §4 recorded for every question', () => {
    for (const c of fixedCases()) {
      for (const p of c.probes) assert.ok(c.documented?.[p.id], `${c.id} ${p.id}`);
    }
  });
});

describe('oracle reply classes and judge', () => {
  test('RCPT replies map to outcomes', () => {
    assert.equal(classifyReply('250', '250 2.1.5 Ok'), 'allow');
    assert.equal(classifyReply('454', '454 4.7.1 <u@x>: Relay access denied'), 'deny');
    assert.equal(classifyReply('554', '554 5.7.1 <u@x>: Relay access denied'), 'deny');
    assert.equal(classifyReply('450', '450 4.7.1 <u@x>: Recipient address rejected'), 'deny');
    assert.equal(classifyReply('451', '451 4.3.5 Server configuration error'), 'config-error');
    assert.equal(classifyReply('451', '451 4.3.0 <u@x>: Temporary lookup failure'), 'config-error');
    assert.equal(classifyReply('354', '354 go ahead'), 'other');
  });
  const view = (outcome: LinterView['outcome'], reason = '', reply: string | null = null) => ({
    outcome,
    reply,
    reason,
    listener: '127.0.0.1:2525',
    trace: [],
  });
  const main = 'x = 1\n# ---- case under test ----\nmynetworks = cidr:/m/t1.cidr\n';
  test('same class agrees; another class or an unclassified reply does not', () => {
    assert.equal(judge('allow', '250 2.1.5 Ok', view('allow'), main).agree, true);
    assert.equal(judge('deny', '554 5.7.1 x', view('allow'), main).agree, false);
    assert.equal(judge('other', 'ECONNREFUSED', view('deny'), main).agree, false);
  });
  test('a different reply code of the same class is a note, not a failure', () => {
    const v = judge('deny', '454 4.7.1 x', view('deny', '', '554'), main);
    assert.equal(v.agree, true);
    assert.equal(v.replyNote, 'reply 454 real, 554 linter');
  });
  test('unknown agrees only when it names an input of the configuration', () => {
    const named = judge('allow', '250 Ok', view('unknown', 'cannot read cidr:/m/t1.cidr'), main);
    assert.deepEqual([named.agree, named.viaUnknown], [true, true]);
    assert.equal(judge('allow', '250 Ok', view('unknown', 'something'), main).agree, false);
  });
});
