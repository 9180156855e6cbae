import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  configFindings,
  DEFAULT_CONFIG,
  isIncluded,
  lintConfigFor,
  loadProjectConfig,
  type LoadedConfig,
} from '../../../../server/src/core/config/project-config.js';
import { lintParsed as lint } from '../../../../server/src/core/engine.js';
import type { Finding } from '../../../../server/src/core/model.js';
import { parseConfig } from '../../../../server/src/core/parse/index.js';
import { positionAt } from '../../../../server/src/core/text.js';
import { toValue } from '../../../../server/src/core/tree.js';

const CONFIG = '/project/.relay-lint.yaml';

function load(text: string): LoadedConfig {
  return loadProjectConfig(CONFIG, text);
}

/** Lints `text` as `rel` (relative to the configuration's folder) under a configuration. */
function lintWith(configText: string, rel: string, text: string): Finding[] {
  const loaded = load(configText);
  assert.deepEqual(
    loaded.problems.map((p) => p.message),
    [],
    'the configuration must be valid for this test',
  );
  return lint(parseConfig(rel, text), { config: lintConfigFor(loaded.config, rel) });
}

function ids(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.ruleId))].sort();
}

function only(findings: readonly Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

/** Where a problem is, as "line:column" (1-based) and the text it covers. */
function where(loaded: LoadedConfig, i = 0): { at: string; text: string } {
  const p = loaded.problems[i];
  assert.ok(p, `no problem #${i}`);
  const pos = positionAt(loaded.parsed.lineStarts, p.span.start);
  return {
    at: `${pos.line}:${pos.column}`,
    text: loaded.parsed.text.slice(p.span.start, p.span.end),
  };
}

/** An anonymous relay listener: RLY001 (public /24), RLY004, RLY010 on both entries, RLY031. */
const RELAY = `version: 1
servers:
  - name: SMTP-01
    listeners:
      - name: Default
        authentication:
          anonymous: true
          integratedWindows: true
        relay:
          mode: onlyList
          list:
            - 81.2.69.0/24
            - 10.20.0.0/16
          allowAuthenticated: true
`;

describe('rule settings', () => {
  test('by id and by name, as a string or { severity }', () => {
    const findings = lintWith(
      'rules:\n  RLY004: high\n  broad-cidr: { severity: critical }\n',
      'a.relay.yaml',
      RELAY,
    );
    assert.deepEqual(
      only(findings, 'RLY004').map((f) => f.severity),
      ['high'],
    );
    assert.deepEqual(
      only(findings, 'RLY010').map((f) => f.severity),
      ['critical', 'critical'],
      'a configured severity replaces the computed one for every finding of the rule',
    );
  });

  test('off turns a rule off by id or by name; nothing is kept', () => {
    const byId = lintWith('rules:\n  RLY031: off\n', 'a.relay.yaml', RELAY);
    const byName = lintWith('rules:\n  auth-relay-any-address: "off"\n', 'a.relay.yaml', RELAY);
    const objectForm = lintWith('rules:\n  RLY031: { severity: off }\n', 'a.relay.yaml', RELAY);
    for (const findings of [byId, byName, objectForm]) {
      assert.deepEqual(only(findings, 'RLY031'), []);
      assert.ok(only(findings, 'RLY004').length > 0, 'other rules still run');
    }
  });

  test('an unknown rule name is a problem at its key, with a suggestion', () => {
    const loaded = load('rules:\n  braod-cidr: off\n');
    assert.equal(loaded.problems.length, 1);
    assert.equal(loaded.problems[0]?.ruleId, 'RLY000');
    assert.match(loaded.problems[0]?.message ?? '', /"braod-cidr" is not a Relay Lint rule/);
    assert.match(loaded.problems[0]?.message ?? '', /did you mean "broad-cidr"\?/);
    assert.deepEqual(where(loaded), { at: '2:3', text: 'braod-cidr' });
    assert.equal(loaded.config, DEFAULT_CONFIG, 'the defaults are used');
  });
});

describe('overrides', () => {
  const CONFIG_TEXT = `rules:
  RLY004: low
overrides:
  - files: ["partners/*.relay.json", "legacy/**"]
    rules:
      anonymous-auth: off
      RLY010: info
    reason: partner relays are reviewed quarterly
`;
  const json = JSON.stringify(toValue(parseConfig('x.yaml', RELAY).documents[0]?.root), null, 2);

  test('off in an override suppresses: the findings are kept, marked with the reason', () => {
    const findings = lintWith(CONFIG_TEXT, 'partners/acme.relay.json', json);
    const anonymous = only(findings, 'RLY004');
    assert.equal(anonymous.length, 1);
    assert.equal(anonymous[0]?.suppressed, true);
    assert.equal(anonymous[0]?.suppressedBy, 'partner relays are reviewed quarterly');
    assert.equal(anonymous[0]?.severity, 'low', 'the top-level severity still applies');
  });

  test('a severity in an override replaces the top-level one for matching files only', () => {
    const matched = lintWith(CONFIG_TEXT, 'legacy/old/x.relay.yaml', RELAY);
    assert.deepEqual(
      only(matched, 'RLY010').map((f) => f.severity),
      ['info', 'info'],
    );
    const other = lintWith(CONFIG_TEXT, 'servers/x.relay.yaml', RELAY);
    assert.deepEqual(
      only(other, 'RLY004').map((f) => [f.severity, f.suppressed]),
      [['low', false]],
    );
    assert.notDeepEqual(
      only(other, 'RLY010').map((f) => f.severity),
      ['info', 'info'],
    );
  });

  test('suppression findings (RLY097/RLY098) follow the configuration too', () => {
    const text = RELAY.replace(
      '          list:\n',
      '          list:\n            # relay-lint-disable-next-line RLY051 -- nothing to suppress here\n',
    );
    const plain = lintWith('{}\n', 'a.relay.yaml', text);
    assert.deepEqual(
      only(plain, 'RLY098').map((f) => f.suppressed),
      [false],
    );
    const overridden = lintWith(
      'overrides:\n  - files: ["**"]\n    rules: { unused-suppression: off }\n    reason: cleanup in OPS-9\n',
      'a.relay.yaml',
      text,
    );
    assert.deepEqual(
      only(overridden, 'RLY098').map((f) => [f.suppressed, f.suppressedBy]),
      [[true, 'cleanup in OPS-9']],
    );
    const off = lintWith('rules:\n  RLY098: off\n', 'a.relay.yaml', text);
    assert.deepEqual(only(off, 'RLY098'), []);
  });

  test('an override needs a reason', () => {
    const loaded = load('overrides:\n  - files: ["a/**"]\n    rules: { RLY004: off }\n');
    assert.equal(loaded.problems[0]?.ruleId, 'RLY000');
    assert.match(
      loaded.problems[0]?.message ?? '',
      /overrides\[0\] lacks the required key "reason"/,
    );
    const blank = load('overrides:\n  - files: ["a/**"]\n    reason: "  "\n');
    assert.equal(blank.problems.length, 1, 'a blank reason is no reason');
  });

  test('later overrides win, and a severity lifts an earlier suppression', () => {
    const config = load(`overrides:
  - files: ["**"]
    rules: { RLY004: off }
    reason: first
  - files: ["b/**"]
    rules: { RLY004: medium }
    reason: second
`).config;
    assert.equal(lintConfigFor(config, 'a/x.relay.yaml').suppressed?.get('RLY004'), 'first');
    const b = lintConfigFor(config, 'b/x.relay.yaml');
    assert.equal(b.suppressed?.get('RLY004'), undefined);
    assert.equal(b.rules?.get('RLY004'), 'medium');
  });
});

describe('trustedNetworks', () => {
  test('the analysis uses them: RLY001 disappears when the offending range is trusted', () => {
    const before = lintWith('{}\n', 'a.relay.yaml', RELAY);
    assert.equal(only(before, 'RLY001').length, 1);
    const after = lintWith('trustedNetworks: ["81.2.69.0/24"]\n', 'a.relay.yaml', RELAY);
    assert.deepEqual(only(after, 'RLY001'), []);
    const partly = lintWith('trustedNetworks: ["81.2.69.0/25"]\n', 'a.relay.yaml', RELAY);
    assert.match(only(partly, 'RLY001')[0]?.message ?? '', /128 IPv4 addresses/);
  });

  test('every notation works, and override networks add to the top-level ones', () => {
    const config = load(`trustedNetworks: ["81.2.69.0/255.255.255.128"]
overrides:
  - files: ["dmz/**"]
    trustedNetworks: ["81.2.69.128-81.2.69.255"]
    reason: DMZ hosts are ours
`).config;
    const lintAt = (rel: string) =>
      only(lint(parseConfig(rel, RELAY), { config: lintConfigFor(config, rel) }), 'RLY001');
    assert.equal(lintAt('a.relay.yaml').length, 1);
    assert.deepEqual(lintAt('dmz/a.relay.yaml'), []);
  });

  test('an unusable network is a problem at the entry', () => {
    const loaded = load('trustedNetworks:\n  - 10.0.0.0/8\n  - 10.0.0.0/33\n');
    assert.match(
      loaded.problems[0]?.message ?? '',
      /trusted network "10\.0\.0\.0\/33" is not usable/,
    );
    assert.deepEqual(where(loaded), { at: '3:5', text: '10.0.0.0/33' });
  });
});

describe('thresholds', () => {
  test('broadCidr minimum prefixes raise broad entries to at least high', () => {
    const text = RELAY.replace('81.2.69.0/24', '10.30.0.0/22');
    const plain = lintWith('{}\n', 'a.relay.yaml', text);
    assert.deepEqual(
      only(plain, 'RLY010').map((f) => f.severity),
      ['low', 'low'],
    );
    const strict = lintWith(
      'thresholds:\n  broadCidr: { minPrefixIpv4: 24, minPrefixIpv6: 64 }\n',
      'a.relay.yaml',
      text,
    );
    assert.deepEqual(
      only(strict, 'RLY010').map((f) => f.severity),
      ['high', 'high'],
    );
  });

  test('out-of-range thresholds are schema errors', () => {
    const loaded = load('thresholds:\n  broadCidr:\n    minPrefixIpv4: 40\n');
    assert.equal(loaded.problems[0]?.ruleId, 'RLY000');
    assert.deepEqual(where(loaded), { at: '3:20', text: '40' });
  });
});

describe('broken configuration files', () => {
  test('broken YAML is RLY099 at the parser position, and the defaults are used', () => {
    const loaded = load('rules:\n  RLY004: off\n  broad-cidr: [high\n');
    assert.ok(loaded.problems.length > 0);
    assert.ok(loaded.problems.every((p) => p.ruleId === 'RLY099'));
    assert.match(loaded.problems[0]?.message ?? '', /default configuration is used instead/);
    assert.equal(where(loaded).at.split(':')[0], '4');
    assert.equal(loaded.config, DEFAULT_CONFIG);
    // Linting goes on with the defaults: RLY004 is not off.
    const findings = lint(parseConfig('a.relay.yaml', RELAY), {
      config: lintConfigFor(loaded.config, 'a.relay.yaml'),
    });
    assert.ok(only(findings, 'RLY004').length > 0);
  });

  test('a schema-invalid file is RLY000 at the offending key or value', () => {
    const cases: [string, string, string, RegExp][] = [
      ['roots: true\n', '1:1', 'roots', /unknown key "roots" \(did you mean "root"\?\)/],
      [
        'rules:\n  RLY004: hgih\n',
        '2:11',
        'hgih',
        /rules\.RLY004 is "hgih", not one of critical, high, medium, low, info, off \(did you mean "high"\?\)/,
      ],
      ['root: "yes"\n', '1:7', '"yes"', /root must be true or false, not the string "yes"/],
      ['rules:\n  RLY004: { sevrity: low }\n', '2:13', 'sevrity', /did you mean "severity"/],
      ['files: "**/*.yaml"\n', '1:8', '"**/*.yaml"', /files must be a list/],
    ];
    for (const [text, at, covered, message] of cases) {
      const loaded = load(text);
      const i = loaded.problems.findIndex((p) => message.test(p.message));
      assert.ok(
        i >= 0,
        `${JSON.stringify(text)}: ${loaded.problems.map((p) => p.message).join(' | ')}`,
      );
      assert.equal(loaded.problems[i]?.ruleId, 'RLY000');
      assert.deepEqual(where(loaded, i), { at, text: covered }, JSON.stringify(text));
      assert.equal(loaded.config, DEFAULT_CONFIG);
    }
  });

  test('problems become findings of the configuration file with stable fingerprints', () => {
    const a = configFindings(load('rules:\n  RLY004: hgih\n'), '.relay-lint.yaml');
    const b = configFindings(load('# moved down\n\nrules:\n  RLY004: hgih\n'), '.relay-lint.yaml');
    assert.equal(a.length, 1);
    assert.equal(a[0]?.rule, 'schema');
    assert.equal(a[0]?.severity, 'high');
    assert.equal(a[0]?.fingerprint, b[0]?.fingerprint, 'moving lines keeps the fingerprint');
    const c = configFindings(load('rules:\n  RLY004: hihg\n'), '.relay-lint.yaml');
    assert.notEqual(a[0]?.fingerprint, c[0]?.fingerprint);
    const syntax = configFindings(load('rules: [\n'), '.relay-lint.yaml');
    assert.deepEqual(
      syntax.map((f) => [f.ruleId, f.rule, f.severity]),
      [['RLY099', 'syntax', 'critical']],
    );
  });

  test('an empty file is the defaults, without problems', () => {
    const loaded = load('');
    assert.deepEqual(loaded.problems, []);
    assert.deepEqual(
      ids(lintWith('', 'a.relay.yaml', RELAY)),
      ids(lint(parseConfig('a.relay.yaml', RELAY))),
    );
  });
});

describe('files and ignore', () => {
  test('default globs, custom globs and ignore', () => {
    assert.equal(isIncluded(DEFAULT_CONFIG, 'a/b/edge.relay.yaml'), true);
    assert.equal(isIncluded(DEFAULT_CONFIG, 'edge.relay.json'), true);
    assert.equal(isIncluded(DEFAULT_CONFIG, 'edge.yaml'), false);
    const config = load('files: ["servers/**/*.yaml"]\nignore: ["servers/archive/**"]\n').config;
    assert.equal(isIncluded(config, 'servers/edge/a.yaml'), true);
    assert.equal(isIncluded(config, 'servers/archive/a.yaml'), false);
    assert.equal(isIncluded(config, 'other/a.relay.yaml'), false);
  });
});
