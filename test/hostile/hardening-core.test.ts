import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { loadProjectConfig } from '../../server/src/core/config/project-config.js';
import { globProblem } from '../../server/src/core/config/globs.js';
import { lintSource } from '../../server/src/core/lint-source.js';
import { parseConfig } from '../../server/src/core/parse/index.js';
import { escapeControl } from '../../server/src/core/report/control.js';
import { toMarkdown } from '../../server/src/core/report/markdown.js';
import type { FileResult } from '../../server/src/core/report/result.js';
import { toText } from '../../server/src/core/report/text.js';
import { decodeUtf8, firstInvalidByte, InvalidUtf8Error } from '../../server/src/host/read-text.js';

// Issue 11, items 5 and 8 (defects 5, 6, 7, 9, 12, 13), at the level of the core: each case
// failed before the change it names.

const OPEN_RELAY = (name: string): string => `version: 1
servers:
  - name: ${JSON.stringify(name)}
    product: iis-smtp
    listeners:
      - name: Default SMTP Virtual Server
        authentication:
          anonymous: true
        relay:
          mode: allExcept
          list: []
`;

function resultOf(path: string, text: string): FileResult {
  const { file, findings } = lintSource({ uri: path, text });
  return { path, file, findings };
}

describe('did-you-mean for unknown keys (issue 11 #5)', () => {
  test('an unknown key of the relay model gets the closest known key', () => {
    const text = OPEN_RELAY('EDGE').replace(
      'anonymous: true',
      'anonymous: true\n          anonymus: true',
    );
    const { findings } = lintSource({ uri: 'a.relay.yaml', text });
    const unknown = findings.find((f) => /Unknown key "anonymus"/.test(f.message));
    assert.ok(unknown !== undefined);
    assert.match(unknown.message, /Did you mean "anonymous"\?/);
  });

  test('.relay-lint.yaml uses the same lookup: a rule setting, an override, thresholds', () => {
    const cases: [string, RegExp][] = [
      [
        'rules:\n  RLY010:\n    severty: low\n',
        /unknown key "severty" \(did you mean "severity"\?\)/,
      ],
      [
        'overrides:\n  - fles: ["a"]\n    files: ["a"]\n    reason: x\n',
        /unknown key "fles" \(did you mean "files"\?\)/,
      ],
      [
        'thresholds:\n  broadCidr:\n    minPrefixIpv5: 8\n',
        /unknown key "minPrefixIpv5" \(did you mean "minPrefixIpv4"\?\)/,
      ],
      ['ignroe: []\n', /unknown key "ignroe" \(did you mean "ignore"\?\)/],
    ];
    for (const [text, expected] of cases) {
      const messages = loadProjectConfig('/p/.relay-lint.yaml', text).problems.map(
        (p) => p.message,
      );
      assert.ok(
        messages.some((m) => expected.test(m)),
        `${text}: ${messages.join(' | ')}`,
      );
    }
  });
});

describe('depth pre-scan and block scalars (issue 11 #12)', () => {
  test('600 "{" in a block scalar are text, not nesting', () => {
    for (const indicator of ['|', '>', '|-', '>+', '|2']) {
      const text = `version: 1\nservers:\n  - name: x\n    note: ${indicator}\n      ${'{'.repeat(600)}\n      ${'['.repeat(600)}\n\n      more\n    product: other\n    listeners: []\n`;
      const parsed = parseConfig('a.relay.yaml', text);
      assert.deepEqual(
        parsed.problems.map((p) => p.message),
        [],
        indicator,
      );
    }
  });

  test('deep nesting after a block scalar ends is still refused', () => {
    const text = `a: |\n  text\nb: ${'['.repeat(600)}\n`;
    const parsed = parseConfig('a.relay.yaml', text);
    assert.match(parsed.problems[0]?.message ?? '', /deeper than 500/);
    const less = `a: |\n${'['.repeat(600)}\n`; // not indented: not part of the scalar
    assert.match(parseConfig('a.relay.yaml', less).problems[0]?.message ?? '', /deeper than 500/);
  });
});

describe('control characters in human-readable reports (issue 11 #6)', () => {
  const hostile = 'EDGE\u001b]0;owned\u0007\u001b[2J\rfake line\nnext\u009b31m\u202e';

  test('escapeControl makes every control character visible and keeps the rest', () => {
    assert.equal(escapeControl('a\u001b[31mb\r\n\t'), 'a\\x1b[31mb\\r\\n\t');
    assert.equal(escapeControl('café ✓ 漢字'), 'café ✓ 漢字');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        assert.doesNotMatch(
          escapeControl(s),
          // eslint-disable-next-line no-control-regex -- the property is about control characters.
          /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/,
        );
      }),
    );
  });

  test('the text and Markdown reports carry no raw control character from a server name', () => {
    const result = resultOf('edge\u001b[31m.relay.yaml', OPEN_RELAY(hostile));
    assert.ok(
      result.findings.some((f) => f.message.includes('\u001b')),
      'the message quotes it',
    );
    for (const [name, out] of [
      ['text', toText([result], { color: false })],
      ['markdown', toMarkdown([result])],
    ] as const) {
      // eslint-disable-next-line no-control-regex -- the assertion is about control characters.
      assert.doesNotMatch(out.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f\u202e]/, name);
      assert.ok(out.includes('\\x1b'), `${name} shows the escape`);
    }
    // Colour codes of the report itself are still written when asked for.
    assert.ok(toText([result], { color: true }).includes('\u001b[4m'));
  });
});

describe('Markdown: paths that were not linted (issue 11 #9)', () => {
  test('a "Not linted" section and a count in the summary', () => {
    const ok = resultOf('a.relay.yaml', OPEN_RELAY('EDGE'));
    const md = toMarkdown([ok], {
      notLinted: ['cannot read b.relay.yaml: permission denied', 'cannot read c|d.relay.yaml: x'],
    });
    assert.match(md, /\*\*2 paths could not be linted\*\*/);
    assert.match(
      md,
      /## Not linted\n\n- cannot read b\.relay\.yaml: permission denied\n- cannot read c\\\|d\.relay\.yaml: x\n$/,
    );
    assert.doesNotMatch(toMarkdown([ok]), /Not linted|could not be linted/);
  });
});

describe('RLY016 keeps the annotated copy (issue 11 #7)', () => {
  const list = (entries: string): string =>
    OPEN_RELAY('EDGE').replace(
      'mode: allExcept\n          list: []',
      `mode: onlyList\n          list:\n${entries}`,
    );

  test('a bare copy before an entry with a trailing comment: the bare one is removed, safely', () => {
    const text = list(
      '            - 10.0.0.0/24\n            - 10.0.0.0/24 # app subnet, OPS-112\n',
    );
    const dup = lintSource({ uri: 'a.relay.yaml', text }).findings.filter(
      (f) => f.ruleId === 'RLY016',
    );
    assert.equal(dup.length, 1);
    const fix = dup[0]?.fixes[0];
    assert.equal(fix?.safe, true);
    const line = text.slice(0, dup[0]?.span.start ?? 0).split('\n').length;
    assert.equal(
      text.split('\n')[line - 1],
      '            - 10.0.0.0/24',
      'the bare entry is reported',
    );
  });

  test('two annotated copies: the later is reported, and removing it is not a safe fix', () => {
    const text = list(
      '            - 10.0.0.0/24 # first\n            - { address: 10.0.0.0/24, note: second }\n',
    );
    const dup = lintSource({ uri: 'a.relay.yaml', text }).findings.filter(
      (f) => f.ruleId === 'RLY016',
    );
    assert.equal(dup.length, 1);
    assert.equal(dup[0]?.fixes[0]?.safe, false);
  });
});

describe('globs of .relay-lint.yaml are validated (issue 11 #13)', () => {
  test('an unclosed bracket or brace, an absolute path, ".." or an empty glob is a problem', () => {
    for (const glob of ['[', '{a,b', '(x', '/etc/*.relay.yaml', '../x/**', ' ']) {
      assert.ok(globProblem(glob) !== undefined, glob);
      const loaded = loadProjectConfig('/p/.relay-lint.yaml', `files: [${JSON.stringify(glob)}]\n`);
      assert.match(loaded.problems[0]?.message ?? '', /is not a usable glob/, glob);
    }
    for (const glob of ['**', '**/*.relay.yaml', '**/*.{a,b}', '[ab]*.yaml', 'a\\[b', '!(x)'])
      assert.equal(globProblem(glob), undefined, glob);
  });
});

describe('strict UTF-8 decoding (issue 11 #5)', () => {
  test('U+FFFD written in a file is valid; an invalid byte is named by line and column', () => {
    assert.equal(decodeUtf8(Buffer.from('name: "ok \uFFFD"\n')), 'name: "ok \uFFFD"\n');
    const bytes = Buffer.concat([Buffer.from('a: 1\nb: caf'), Buffer.from([0xe9, 0x0a])]);
    assert.throws(
      () => decodeUtf8(bytes),
      (e: unknown) => e instanceof InvalidUtf8Error && e.line === 2 && e.column === 7,
    );
    assert.equal(decodeUtf8(Buffer.from('\uFEFFa: 1\n')), '\uFEFFa: 1\n', 'a BOM is kept');
  });

  test('firstInvalidByte agrees with the strict decoder on any bytes', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const bad = firstInvalidByte(bytes);
        let valid = true;
        try {
          strict.decode(bytes);
        } catch {
          valid = false;
        }
        assert.equal(bad === bytes.length, valid);
        if (!valid) strict.decode(bytes.subarray(0, bad)); // the prefix before it is valid
      }),
      { numRuns: 2000 },
    );
  });
});
