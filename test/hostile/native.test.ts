import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { Diagnostic, Range } from 'vscode-languageserver/node';
import { run } from '../../server/src/cli/main.js';
import { explainFile } from '../../server/src/core/explain/index.js';
import {
  buildList,
  bytesToHex,
  encodeIpSecList,
  type FlatEntry,
} from '../../server/src/core/formats/iis/ipsec-blob.js';
import type { ExplainQuestion, Siblings } from '../../server/src/core/formats/types.js';
import { lintSource } from '../../server/src/core/lint-source.js';
import type { Finding } from '../../server/src/core/model.js';
import { siblingsOf } from '../../server/src/host/siblings.js';
import { messageOf, startTestClient, type TestClient, tempWorkspace } from '../lsp/harness.js';
import { randomBytes, seeded } from '../support/hostile.js';
import { repoRoot } from '../support/repo-root.js';

// Hostile input for the native readers (issues 12 and 13, "Bad input"): Postfix main.cf and
// master.cf, the IIS metabase and Exchange exports, through the one lint path (lintSource), the
// CLI, `relay-lint explain`, `--fix` and the language server. Every case ends in a clear finding
// at a real position or in a normal result: never an exception, a hang, a stack trace or a
// written file. Big inputs are generated here, in memory or in a temp folder. The `timeout`s are
// hang guards (a quadratic step takes many minutes on these sizes), not speed assertions.

const GUARD = { timeout: 120_000 };
const BIG_GUARD = { timeout: 300_000 };
const MB = 1_000_000;
/** A size limit that lets the big inputs be analysed, not refused. */
const ROOMY = 64 * MB;
const OUTSIDER: ExplainQuestion = {
  client: '203.0.113.7',
  to: 'user@relay-lint.invalid',
  from: 'probe@relay-lint.invalid',
  auth: false,
};

// ---------------------------------------------------------------------------------------------
// Generators

/** Random bytes below 0x80 (valid UTF-8, so the CLI reads them), NULs included: "binary". */
function asciiBinary(seed: number, length: number): Uint8Array {
  const bytes = randomBytes(seed, length).map((b) => b & 0x7f);
  bytes[17] = 0; // at least one NUL, wherever the generator put the others
  return bytes;
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** A main.cf of at least `size` characters: comments, parameters, continuation lines. */
function bigMainCf(size: number, tail: string): string {
  const parts = ['compatibility_level = 3.6\n'];
  let length = parts[0]?.length ?? 0;
  for (let i = 0; length < size; i++) {
    const s = `# comment line ${i}\nparam_${i} = value${i}, other${i}\n    continued${i}\n`;
    parts.push(s);
    length += s.length;
  }
  parts.push(tail);
  return parts.join('');
}

/** `mynetworks = $p0`, `p0 = $p1` … `p{depth-1} = 0.0.0.0/0`. */
function dollarChain(depth: number): string {
  const lines = ['compatibility_level = 3.6', 'mynetworks = $p0'];
  for (let i = 0; i < depth - 1; i++) lines.push(`p${i} = $p${i + 1}`);
  lines.push(`p${depth - 1} = 0.0.0.0/0`, '');
  return lines.join('\n');
}

function hugeMynetworks(n: number): string {
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(`10.${(i >> 8) & 255}.${i & 255}.0/24`);
  return `compatibility_level = 3.6\nmynetworks = ${items.join(',\n    ')},\n    0.0.0.0/0\n`;
}

const TEMPLATE_MAIN = [
  'compatibility_level = 3.6',
  'mynetworks = 127.0.0.0/8, {{ trusted_networks | join(", ") }}',
  '{% if relay_host is defined %}',
  'relayhost = [{{ relay_host }}]:587',
  '{% endif %}',
  'smtpd_relay_restrictions = permit_mynetworks, {{ extra }}, reject_unauth_destination',
  '',
].join('\n');

const STOCK_MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';

function metabase(...elements: string[]): string {
  return [
    '<?xml version ="1.0"?>',
    '<configuration xmlns="urn:microsoft-catalog:XML_Metabase_V64_0">',
    '<MBProperty>',
    ...elements,
    '</MBProperty>',
    '</configuration>',
    '',
  ].join('\n');
}

function smtpServer(attrs: Record<string, string>): string {
  const lines = Object.entries(attrs).map(([k, v]) => `\t\t${k}="${v}"`);
  return ['<IIsSmtpServer\tLocation ="/LM/SmtpSvc/1"', ...lines, '\t>', '</IIsSmtpServer>'].join(
    '\n',
  );
}

/** `RelayIpList=""` with anonymous access (the Windows Server 2022 workaround): an open relay. */
const OPEN_SERVER = smtpServer({ AuthFlags: '1', RelayIpList: '', ServerBindings: ':25:' });

function bigMetabase(size: number): string {
  const parts = [metabase(OPEN_SERVER).replace('</MBProperty>\n</configuration>\n', '')];
  let length = parts[0]?.length ?? 0;
  for (let i = 0; length < size; i++) {
    const s = `<IIsWebVirtualDir\tLocation ="/LM/W3SVC/1/ROOT/v${i}"\n\t\tAccessFlags="AccessRead | AccessScript"\n\t\tPath="C:\\inetpub\\wwwroot\\v${i}"\n\t>\n</IIsWebVirtualDir>\n`;
    parts.push(s);
    length += s.length;
  }
  parts.push('</MBProperty>\n</configuration>\n');
  return parts.join('');
}

/** Billion laughs: 10^9 "lol"s if entities were expanded. */
function xmlBomb(): string {
  const lines = ['<?xml version="1.0"?>', '<!DOCTYPE lolz [', ' <!ENTITY lol "lol">'];
  lines.push(` <!ENTITY lol1 "${'&lol;'.repeat(10)}">`);
  for (let i = 2; i <= 9; i++) lines.push(` <!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  lines.push(']>');
  return (
    lines.join('\n') +
    '\n' +
    metabase(smtpServer({ AuthFlags: '1', RelayIpList: '', ServerComment: '&lol9;' })).replace(
      '<?xml version ="1.0"?>\n',
      '',
    )
  );
}

/** An external entity (XXE) that would read a local file if entities were resolved. */
function xxe(): string {
  return (
    '<?xml version="1.0"?>\n<!DOCTYPE c [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n' +
    metabase(smtpServer({ AuthFlags: '1', ServerComment: '&x;' })).replace(
      '<?xml version ="1.0"?>\n',
      '',
    )
  );
}

/** A grant-by-default RelayIpList whose hex is about `hexChars` long (single-host denies). */
function bigValidBlob(hexChars: number): string {
  const entries: FlatEntry[] = [];
  // Each single host is 4 bytes (8 hex digits) in its mask group.
  const n = Math.floor(hexChars / 8);
  for (let i = 0; i < n; i++)
    entries.push({ kind: 'address', value: (0x0a000000 + i) >>> 0, mask: 0xffffffff });
  return bytesToHex(encodeIpSecList(buildList('allExcept', entries)));
}

/** The documented "allow 127.0.0.1" blob (shared/EXCHANGE-IIS.md), for malformed variants. */
const SALT_127 =
  '18000080200000803c00008044000080010000004c00000000000000000000000100000001000000020000000200000004000000000000004c00008000000000000000000000000000000000ffffffff7f000001';

/** Replaces the little-endian dword at byte `index` of a hex blob. */
function patchDword(hex: string, index: number, value: number): string {
  const le = [0, 8, 16, 24].map((s) => ((value >>> s) & 255).toString(16).padStart(2, '0'));
  return hex.slice(0, index * 2) + le.join('') + hex.slice(index * 2 + 8);
}

function deepXml(depth: number): string {
  return `<configuration>${'<MBProperty>'.repeat(depth)}${'</MBProperty>'.repeat(depth)}</configuration>`;
}

function exchangeExport(connectors: readonly string[]): string {
  return `{"relayLintExport":1,"product":"exchange","server":"EX01","receiveConnectors":[${connectors.join(',\n')}]}`;
}

/** The connector that grants ANONYMOUS LOGON relay to everyone, then `n` quiet ones. */
function manyConnectors(n: number): string {
  const list = [
    '{"Identity":"EX01\\\\Open","Name":"Open","Enabled":true,"Bindings":["0.0.0.0:2525"],"RemoteIPRanges":["0.0.0.0-255.255.255.255"],"PermissionGroups":"AnonymousUsers","AuthMechanism":"Tls","permissions":[{"User":"NT AUTHORITY\\\\ANONYMOUS LOGON","UserSid":"S-1-5-7","ExtendedRights":["ms-Exch-SMTP-Accept-Any-Recipient"],"Deny":false}]}',
  ];
  for (let i = 0; i < n; i++)
    list.push(
      `{"Identity":"EX01\\\\C${i}","Bindings":["0.0.0.0:25"],"RemoteIPRanges":["10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}"],"PermissionGroups":"ExchangeServers","AuthMechanism":"Tls"}`,
    );
  return exchangeExport(list);
}

const WRONG_TYPES = JSON.stringify({
  relayLintExport: 1,
  server: 7,
  receiveConnectors: [
    {
      Identity: 5,
      Name: null,
      Enabled: 'maybe',
      Bindings: [null, 25, { x: 1 }],
      RemoteIPRanges: [null, 7, {}, [], true, { Expression: 9 }, { LowerBound: null }],
      PermissionGroups: null,
      AuthMechanism: [null, 3],
      RequireTLS: 'yes',
      permissions: [{ User: 9, UserSid: [], ExtendedRights: 5, Deny: { IsPresent: 'x' } }],
    },
    null,
    42,
    'text',
  ],
  acceptedDomains: [null, { DomainName: 7 }, { DomainName: null, DomainType: 3 }],
});

// ---------------------------------------------------------------------------------------------
// The cases

interface HostileCase {
  readonly title: string;
  /** The file, relative to the case's folder. */
  readonly name: string;
  readonly content: () => string | Uint8Array;
  /** Other files of the case's folder (text), or special files made by `makeSpecial`. */
  readonly siblings?: Readonly<Record<string, string>>;
  /**
   * What must be reported: a finding (of `rule`, when given) whose message matches `message`
   * and, when `at` is given, whose range covers exactly that text; `normal` means the file is
   * analysed (no RLY099).
   */
  readonly expect: {
    readonly rule?: string;
    readonly message?: RegExp;
    readonly at?: string;
    readonly normal?: boolean;
  };
}

const CASES: readonly HostileCase[] = [
  // Postfix -----------------------------------------------------------------------------------
  {
    title: 'postfix: a binary file named main.cf',
    name: 'main.cf',
    content: () => asciiBinary(1, 8192),
    expect: { rule: 'RLY099', message: /binary/ },
  },
  {
    title: 'postfix: a 10 MB main.cf is refused by size, at line 1',
    name: 'main.cf',
    content: () => bigMainCf(10 * MB, 'mynetworks = 127.0.0.0/8, 0.0.0.0/0\n'),
    expect: { rule: 'RLY099', message: /over the limit/ },
  },
  {
    title: 'postfix: an expansion cycle is a finding, not a hang',
    name: 'main.cf',
    content: () =>
      'compatibility_level = 3.6\na = $b\nb = ${a}\nmynetworks = 127.0.0.0/8, $a\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n',
    expect: { message: /macro call nesting|cycle/i },
  },
  {
    title: 'postfix: a self-referencing restriction list ($(c) with c = $c)',
    name: 'main.cf',
    content: () =>
      'compatibility_level = 3.6\nc = $c\nsmtpd_relay_restrictions = permit_mynetworks, $(c), reject_unauth_destination\n',
    expect: { message: /macro call nesting|cycle/i },
  },
  {
    title: 'postfix: a 10,000-deep $ chain stops at Postfix\u2019s nesting limit',
    name: 'main.cf',
    content: () => dollarChain(10_000),
    expect: { message: /macro call nesting/i },
  },
  {
    title: 'postfix: master.cf with too few columns',
    name: 'master.cf',
    content: () =>
      'smtp      inet  n       -       y\nsubmission inet n - y - - smtpd\npickup unix\n',
    expect: { rule: 'RLY099', message: /8 fields/, at: 'smtp      inet  n       -       y' },
  },
  {
    title: 'postfix: master.cf -o { … } with an unbalanced brace',
    name: 'master.cf',
    content: () =>
      'smtp inet n - y - - smtpd\n  -o { smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n',
    expect: { rule: 'RLY099', message: /"}"|brace/ },
  },
  {
    title: 'postfix: master.cf -o { … } whose inner brace is not closed',
    name: 'master.cf',
    // Postfix's extpar finds no "}" matching the first "{": a syntax error, not a list item.
    content: () => 'smtp inet n - y - - smtpd\n  -o { mynetworks = { 0.0.0.0/0 }\n',
    expect: { rule: 'RLY099', message: /"}"|brace/ },
  },
  {
    title: 'postfix: master.cf -o { … } with a brace too many',
    name: 'master.cf',
    content: () =>
      'smtp inet n - y - - smtpd\n  -o { smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination } }\n',
    expect: {},
  },
  {
    title: 'postfix: a main.cf.j2 template with {{ }} and {% %}',
    name: 'main.cf.j2',
    content: () => TEMPLATE_MAIN,
    expect: { message: /template/i },
  },
  {
    title: 'postfix: a master.cf alone (no main.cf) is analysed with the defaults',
    name: 'master.cf',
    content: () =>
      'smtp inet n - y - - smtpd\n  -o mynetworks=0.0.0.0/0\n  -o smtpd_relay_restrictions=permit_mynetworks,reject_unauth_destination\n',
    expect: { rule: 'RLY001', normal: true, at: '0.0.0.0/0' },
  },
  {
    title: 'postfix: a cidr table path naming a FIFO, a folder and a missing file',
    name: 'main.cf',
    content: () =>
      'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions = permit_mynetworks,\n    check_client_access cidr:fifo.cidr,\n    check_client_access cidr:folder.cidr,\n    check_client_access cidr:missing.cidr,\n    reject_unauth_destination\n',
    siblings: { 'master.cf': STOCK_MASTER },
    expect: { rule: 'RLY065', message: /cannot read|cannot be read/, at: 'cidr:fifo.cidr' },
  },
  // IIS ---------------------------------------------------------------------------------------
  {
    title: 'iis: a binary file named MetaBase.xml',
    name: 'MetaBase.xml',
    content: () => asciiBinary(2, 8192),
    expect: { rule: 'RLY099', message: /binary/ },
  },
  {
    title: 'iis: a 20 MB metabase is refused by size, at line 1',
    name: 'MetaBase.xml',
    content: () => bigMetabase(20 * MB),
    expect: { rule: 'RLY099', message: /over the limit/ },
  },
  {
    title: 'iis: an XML bomb (billion laughs): the DOCTYPE is refused, nothing expanded',
    name: 'MetaBase.xml',
    content: xmlBomb,
    expect: { rule: 'RLY099', message: /DOCTYPE/, at: '<!DOCTYPE' },
  },
  {
    title: 'iis: an external entity (XXE) is never resolved',
    name: 'MetaBase.xml',
    content: xxe,
    expect: { rule: 'RLY099', message: /DOCTYPE/ },
  },
  {
    title: 'iis: a 1 MB RelayIpList of hex noise: one finding at the attribute',
    name: 'MetaBase.xml',
    content: () => {
      const next = seeded(5);
      let hex = '';
      for (let i = 0; i < MB; i++) hex += '0123456789abcdef'.charAt(Math.floor(next() * 16));
      return metabase(smtpServer({ AuthFlags: '1', RelayIpList: hex }));
    },
    expect: { rule: 'RLY099', message: /RelayIpList is not a valid/ },
  },
  {
    title: 'iis: RelayIpList with an odd number of hex digits',
    name: 'MetaBase.xml',
    content: () => metabase(smtpServer({ AuthFlags: '1', RelayIpList: SALT_127.slice(0, -1) })),
    expect: { rule: 'RLY099', message: /RelayIpList is not a valid/, at: SALT_127.slice(0, -1) },
  },
  {
    title: 'iis: RelayIpList with a non-hex digit',
    name: 'MetaBase.xml',
    content: () => metabase(smtpServer({ AuthFlags: '1', RelayIpList: `zz${SALT_127.slice(2)}` })),
    expect: { rule: 'RLY099', message: /RelayIpList is not a valid/ },
  },
  {
    title: 'iis: RelayIpList whose grant offset points outside the list',
    name: 'MetaBase.xml',
    content: () =>
      metabase(smtpServer({ AuthFlags: '1', RelayIpList: patchDword(SALT_127, 4, 0x8000ffff) })),
    expect: { rule: 'RLY099', message: /RelayIpList is not a valid/ },
  },
  {
    title: 'iis: RelayIpList whose grant offset points back into the header (a cycle)',
    name: 'MetaBase.xml',
    content: () =>
      metabase(smtpServer({ AuthFlags: '1', RelayIpList: patchDword(SALT_127, 4, 0x80000000) })),
    expect: { rule: 'RLY099', message: /RelayIpList is not a valid/ },
  },
  {
    title: 'iis: RelayIpList whose entry count overruns the list',
    name: 'MetaBase.xml',
    // The grant-address header (byte 32) holds the group count; make it huge.
    content: () =>
      metabase(smtpServer({ AuthFlags: '1', RelayIpList: patchDword(SALT_127, 36, 0x7fffffff) })),
    expect: { rule: 'RLY099', message: /RelayIpList is not a valid/ },
  },
  {
    title: 'iis: IPSecurity shorter than its header, as a <Custom> child',
    name: 'MetaBase.xml',
    content: () =>
      metabase(
        smtpServer({ AuthFlags: '1', RelayIpList: SALT_127 }).replace(
          '\t>\n',
          '\t>\n\t<Custom\n\t\tName="IPSecurity"\n\t\tID="6019"\n\t\tValue="0102"\n\t\tType="BINARY"\n\t/>\n',
        ),
      ),
    expect: { rule: 'RLY099', message: /IPSecurity/, at: '0102' },
  },
  {
    title: 'iis: XML nested 100,000 levels deep',
    name: 'MetaBase.xml',
    // Well-formed, and no SMTP element at any depth: analysed, nothing to report.
    content: () => deepXml(100_000),
    expect: { normal: true },
  },
  {
    title: 'iis: an undefined entity in an attribute',
    name: 'MetaBase.xml',
    content: () =>
      metabase(smtpServer({ AuthFlags: '1', RelayIpList: '', ServerComment: 'a &foo; b' })),
    expect: { rule: 'RLY099', message: /entity/ },
  },
  {
    title: 'iis: attributes with character and predefined entities are read decoded',
    name: 'MetaBase.xml',
    content: () =>
      metabase(
        smtpServer({
          AuthFlags: '&#x31;',
          RelayIpList: '',
          ServerBindings: ':25:',
          ServerComment: 'Relay &amp; more &#x41;&#66; &lt;1&gt;',
        }),
      ),
    expect: { rule: 'RLY002', normal: true, at: 'RelayIpList=""' },
  },
  {
    title: 'iis: an empty MetaBase.xml',
    name: 'MetaBase.xml',
    content: () => '',
    expect: { rule: 'RLY099' },
  },
  // Exchange ----------------------------------------------------------------------------------
  {
    title: 'exchange: a binary x.exchange.json',
    name: 'x.exchange.json',
    content: () => asciiBinary(3, 8192),
    expect: { rule: 'RLY099', message: /binary/ },
  },
  {
    title: 'exchange: malformed JSON',
    name: 'x.exchange.json',
    content: () => '{"relayLintExport": 1, "receiveConnectors": [ {"Identity": "EX01\\\\A", ',
    expect: { rule: 'RLY099', message: /not valid JSON/ },
  },
  {
    title: 'exchange: JSON nested 100,000 levels deep',
    name: 'x.exchange.json',
    content: () => `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
    expect: { rule: 'RLY099', message: /deeper/ },
  },
  {
    title: 'exchange: 100,000 nested arrays inside a connector',
    name: 'x.exchange.json',
    content: () =>
      exchangeExport([
        `{"Identity":"EX01\\\\A","RemoteIPRanges":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      ]),
    expect: { rule: 'RLY099', message: /deeper/ },
  },
  {
    title: 'exchange: wrong types everywhere (numbers for strings, nulls)',
    name: 'x.exchange.json',
    content: () => WRONG_TYPES,
    expect: {},
  },
  {
    title: 'exchange: a JSON file not shaped like an export, named *.exchange.json',
    name: 'x.exchange.json',
    content: () => '{\n  "name": "package",\n  "version": "1.0.0"\n}\n',
    expect: { rule: 'RLY099', message: /not an Exchange/ },
  },
];

function textOf(c: HostileCase): string {
  const content = c.content();
  return typeof content === 'string' ? content : decode(content);
}

function mapSiblings(files: Readonly<Record<string, string>> | undefined): Siblings {
  return {
    read: (name) => (files !== undefined && Object.hasOwn(files, name) ? files[name] : undefined),
  };
}

/** A finding that is the reader's own crash turned into a finding by lintSource. */
const CRASHED = /could not read this|please report it|internal error/i;

/**
 * Every finding is inside the text and says something: a message that starts like a sentence
 * (not in lower case; Exchange messages end with the shell command that fixes them, so the end
 * is not checked), never the reader's crash turned into a finding.
 */
function assertSane(
  title: string,
  text: string,
  findings: readonly Seen[],
  sentences = true,
): void {
  for (const f of findings) {
    assert.ok(
      0 <= f.span.start && f.span.start <= f.span.end && f.span.end <= text.length,
      `${title}: ${f.ruleId} span ${f.span.start}-${f.span.end} outside a text of ${text.length}`,
    );
    if (sentences) assert.match(f.message, /^[^a-z\s]/, `${title}: not a sentence: ${f.message}`);
    else assert.notEqual(f.message.trim(), '', `${title}: an empty message`);
    assert.doesNotMatch(f.message, CRASHED, `${title}: ${f.message}`);
  }
}

function assertCase(c: HostileCase, text: string, findings: readonly Seen[]): void {
  assertSane(c.title, text, findings);
  const list = (): string => findings.map((f) => `${f.ruleId} ${f.message}`).join(' | ');
  if (c.expect.normal === true)
    assert.ok(!findings.some((f) => f.ruleId === 'RLY099'), `${c.title}: not analysed: ${list()}`);
  const { rule, message, at } = c.expect;
  if (rule === undefined && message === undefined) return;
  const hits = findings.filter(
    (f) =>
      (rule === undefined || f.ruleId === rule) &&
      (message === undefined || message.test(f.message)),
  );
  assert.ok(hits.length > 0, `${c.title}: no ${rule ?? ''} ${String(message ?? '')} in ${list()}`);
  if (at !== undefined)
    assert.ok(
      hits.some((f) => text.slice(f.span.start, f.span.end) === at),
      `${c.title}: at "${at.slice(0, 40)}"; got ${hits.map((f) => JSON.stringify(text.slice(f.span.start, f.span.end).slice(0, 40))).join(', ')}`,
    );
}

// ---------------------------------------------------------------------------------------------
// A temp folder per case, with its special files

let dir = '';
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'relay-lint-hostile-native-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the case into `<root>/<n>/` and returns the folder. */
function materialise(root: string, c: HostileCase, n: number): string {
  const folder = path.join(root, `case${String(n).padStart(2, '0')}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, c.name), c.content());
  for (const [name, text] of Object.entries(c.siblings ?? {}))
    writeFileSync(path.join(folder, name), text);
  // The cidr case: a FIFO and a folder where tables are named (a missing one is just missing).
  if (c.title.includes('FIFO')) {
    execFileSync('mkfifo', [path.join(folder, 'fifo.cidr')]);
    mkdirSync(path.join(folder, 'folder.cidr'));
  }
  return folder;
}

/** Every regular file under `root` with its bytes (FIFOs and folders are not read). */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (/\.cidr$/.test(rel)) continue;
    const abs = path.join(root, rel);
    try {
      out.set(rel, readFileSync(abs).toString('base64'));
    } catch {
      // A folder: nothing to compare.
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// lintSource in a worker: a hang is a failed test that ends, not a suite that never does

/** What the tests look at in a finding (a worker sends it back as plain data). */
type Seen = Pick<Finding, 'ruleId' | 'message' | 'span'>;

interface GuardedInput {
  readonly uri: string;
  readonly text: string;
  /** Files beside it, by name. */
  readonly siblings?: Readonly<Record<string, string>>;
  /** Read the files beside `uri` from disk, as the CLI does (FIFOs, folders, missing files). */
  readonly diskSiblings?: boolean;
  /** The project's size limit; default the product's. */
  readonly maxFileBytes?: number;
}

// Plain CommonJS run by the worker: the compiled server modules, the same lint path.
const WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const { lintSource } = require(w.out + '/core/lint-source.js');
const { DEFAULT_CONFIG } = require(w.out + '/core/config/project-config.js');
const { siblingsOf } = require(w.out + '/host/siblings.js');
const { explainFile } = require(w.out + '/core/explain/index.js');
const question = { client: '203.0.113.7', to: 'user@relay-lint.invalid', from: 'probe@relay-lint.invalid', auth: false };
parentPort.postMessage(
  w.inputs.map((input) => {
    const files = input.siblings;
    const siblings = input.diskSiblings
      ? siblingsOf(input.uri)
      : { read: (n) => (files !== undefined && Object.hasOwn(files, n) ? files[n] : undefined) };
    const project =
      input.maxFileBytes !== undefined ? { ...DEFAULT_CONFIG, maxFileBytes: input.maxFileBytes } : undefined;
    const { file, findings } = lintSource({ uri: input.uri, text: input.text, siblings, project });
    // explain on the same parse must answer too (a throw ends the worker with an error).
    explainFile(file, question);
    return findings.map((f) => ({ ruleId: f.ruleId, message: f.message, span: f.span }));
  }),
);
`;

/**
 * lintSource (and explain on its result) for each input in a worker thread, ended after `ms`: a reader that loops or goes
 * quadratic fails its test within the bound instead of blocking the test run (a synchronous
 * call cannot be interrupted by a test timeout). A throw or a stack overflow fails it too.
 */
function lintAllGuarded(inputs: readonly GuardedInput[], ms: number): Promise<Seen[][]> {
  const out = path.join(repoRoot(), 'test', 'out', 'server', 'src');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { out, inputs } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(
        new Error(
          `${inputs[0]?.uri ?? ''}: no result after ${ms / 1000} s: a hang or a quadratic step`,
        ),
      );
    }, ms);
    worker.once('message', (findings: Seen[][]) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(findings);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function lintGuarded(input: GuardedInput, ms = 90_000): Promise<Seen[]> {
  const [findings] = await lintAllGuarded([input], ms);
  assert.ok(findings !== undefined);
  return findings;
}

/**
 * `n` variants of `text`, each with a few seeded edits: a slice deleted, duplicated or moved,
 * or a character that matters to some reader (braces, `$`, quotes, `<`, `&`, a BOM, CR, NUL)
 * inserted at a random place.
 */
function mutants(text: string, seed: number, n: number): string[] {
  const next = seeded(seed);
  const at = (limit: number): number => Math.floor(next() * (limit + 1));
  const specials = [
    '{',
    '}',
    '$',
    '${',
    '$(',
    '"',
    "'",
    '<',
    '>',
    '&',
    '&#',
    '\uFEFF',
    '\r',
    '\u0000',
    '#',
    '\n ',
    ',',
    '[',
    ']',
    '\\',
    '=',
    ' -o ',
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let t = text;
    const edits = 1 + at(3);
    for (let e = 0; e < edits; e++) {
      const p = at(t.length);
      const q = Math.min(t.length, p + at(40));
      switch (at(3)) {
        case 0:
          t = t.slice(0, p) + t.slice(q);
          break;
        case 1:
          t = t.slice(0, q) + t.slice(p, q) + t.slice(q);
          break;
        case 2:
          t = t.slice(0, p) + t.slice(q) + t.slice(p, q);
          break;
        default:
          t = t.slice(0, p) + (specials[at(specials.length - 1)] ?? '') + t.slice(p);
      }
    }
    out.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// lintSource

describe('hostile native input: lintSource', () => {
  for (const c of CASES) {
    test(c.title, GUARD, async () => {
      const text = textOf(c);
      const findings = await lintGuarded({
        uri: c.name,
        text,
        ...(c.siblings !== undefined ? { siblings: c.siblings } : {}),
      });
      assertCase(c, text, findings);
    });
  }

  test(
    'the cidr tables as the host reads them: a FIFO, a folder, a missing file',
    GUARD,
    async () => {
      const c = CASES.find((x) => x.title.includes('FIFO'));
      assert.ok(c !== undefined);
      const folder = materialise(path.join(dir, 'lint-fifo'), c, 0);
      const file = path.join(folder, c.name);
      const text = readFileSync(file, 'utf8');
      const findings = await lintGuarded({ uri: file, text, diskSiblings: true });
      assertCase(c, text, findings);
      // The first unreadable table decides (the answer is unknown from there on); each kind of
      // unreadable path, alone, is named at its own item.
      for (const table of ['fifo.cidr', 'folder.cidr', 'missing.cidr']) {
        const alone = text.replace(/cidr:\w+\.cidr/g, `cidr:${table}`);
        writeFileSync(file, alone);
        const seen = await lintGuarded({ uri: file, text: alone, diskSiblings: true });
        assertSane(table, alone, seen);
        const hit = seen.find((f) => f.ruleId === 'RLY065');
        assert.ok(hit !== undefined, `${table}: ${seen.map((f) => f.message).join(' | ')}`);
        assert.equal(alone.slice(hit.span.start, hit.span.end), `cidr:${table}`);
        assert.match(hit.message, new RegExp(table.replace('.', '\\.')));
      }
    },
  );

  test(
    'a 10 MB main.cf under a raised size limit is analysed to its last line',
    BIG_GUARD,
    async () => {
      const text = bigMainCf(10 * MB, 'mynetworks = 127.0.0.0/8, 0.0.0.0/0\n');
      const findings = await lintGuarded({ uri: 'main.cf', text, maxFileBytes: ROOMY }, 240_000);
      const open = findings.find((f) => f.ruleId === 'RLY001');
      assert.ok(open !== undefined, findings.map((f) => f.message).join(' | '));
      assert.equal(text.slice(open.span.start, open.span.end), '0.0.0.0/0');
    },
  );

  test('mynetworks with 20,000 items: the open item is found', GUARD, async () => {
    const text = hugeMynetworks(20_000);
    const findings = await lintGuarded({ uri: 'main.cf', text });
    const open = findings.find((f) => f.ruleId === 'RLY001');
    assert.ok(open !== undefined);
    assert.equal(text.slice(open.span.start, open.span.end), '0.0.0.0/0');
    assertSane('20,000 mynetworks', text, findings);
  });

  test(
    'a 20 MB metabase under a raised size limit: RLY002 at RelayIpList=""',
    BIG_GUARD,
    async () => {
      const text = bigMetabase(20 * MB);
      const findings = await lintGuarded({ uri: 'MetaBase.xml', text, maxFileBytes: ROOMY });
      const relay = findings.find((f) => f.ruleId === 'RLY002');
      assert.ok(relay !== undefined, findings.map((f) => f.message).join(' | '));
      assert.equal(text.slice(relay.span.start, relay.span.end), 'RelayIpList=""');
    },
  );

  test(
    'a valid RelayIpList of 1 MB (125,000 denied hosts): one finding at the blob, past the entry cap',
    BIG_GUARD,
    async () => {
      const blob = bigValidBlob(MB);
      assert.ok(blob.length >= MB);
      const text = metabase(smtpServer({ AuthFlags: '1', RelayIpList: blob }));
      const findings = await lintGuarded({ uri: 'MetaBase.xml', text });
      assertSane('1 MB blob', text, findings);
      // The reader decodes it and refuses to judge more entries than IIS Manager could show
      // (decided by the IIS reader: a clear finding rather than 125,000 findings).
      assert.deepEqual(
        findings.map((f) => [f.ruleId, text.slice(f.span.start, f.span.end) === blob]),
        [['RLY099', true]],
      );
      assert.match(findings[0]?.message ?? '', /125,000 entries/);
    },
  );

  test('entities in attributes: the server is named by the decoded ServerComment', () => {
    const c = CASES.find((x) => x.title.startsWith('iis: attributes with'));
    assert.ok(c !== undefined);
    const { file } = lintSource({ uri: 'MetaBase.xml', text: textOf(c) });
    const answers = explainFile(file, OUTSIDER);
    assert.deepEqual(
      answers.map((a) => [a.listener, a.outcome]),
      [['Relay & more AB <1>', 'allow']],
    );
  });

  test('100,000 Exchange connectors: a normal result', BIG_GUARD, async () => {
    const text = manyConnectors(100_000);
    const findings = await lintGuarded(
      { uri: 'big.exchange.json', text, maxFileBytes: ROOMY },
      240_000,
    );
    assert.ok(!findings.some((f) => f.ruleId === 'RLY099'), findings[0]?.message);
    const open = findings.find((f) => f.ruleId === 'RLY001');
    assert.ok(open !== undefined);
    assert.equal(text.slice(open.span.start, open.span.end), '"ms-Exch-SMTP-Accept-Any-Recipient"');
  });
});

// ---------------------------------------------------------------------------------------------
// Seeded mutations of the examples: whatever the edit, a result with sane findings

describe('hostile native input: mutated examples', () => {
  const ex = (rel: string): string => readFileSync(path.join(repoRoot(), 'examples', rel), 'utf8');
  const main = ex('postfix/unsafe/main.cf');
  const master = ex('postfix/unsafe/master.cf');
  const sources: { name: string; text: string; siblings?: Record<string, string> }[] = [
    { name: 'main.cf', text: main, siblings: { 'master.cf': master } },
    { name: 'master.cf', text: master, siblings: { 'main.cf': main } },
    { name: 'main.cf.j2', text: main.replace('0.0.0.0/0', '{{ open }}') },
    { name: 'MetaBase.xml', text: ex('iis/ws2022-workaround.metabase.xml') },
    { name: 'x.exchange.json', text: ex('exchange/unsafe-ex01.exchange.json') },
  ];
  for (const [k, src] of sources.entries()) {
    test(`${src.name}: 200 seeded mutations`, GUARD, async () => {
      const texts = mutants(src.text, 100 + k, 200);
      const results = await lintAllGuarded(
        texts.map((text) => ({
          uri: src.name,
          text,
          ...(src.siblings !== undefined ? { siblings: src.siblings } : {}),
        })),
        90_000,
      );
      assert.equal(results.length, texts.length);
      // Spans and crashes only: the wording of Postfix syntax errors is tested above.
      results.forEach((findings, i) => {
        assertSane(`${src.name} mutant ${i}`, texts[i] ?? '', findings, false);
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// CRLF and a BOM: the same findings, at the same text

describe('hostile native input: CRLF and BOM', () => {
  const read = (rel: string): string =>
    readFileSync(path.join(repoRoot(), 'examples', rel), 'utf8').replace(/\r\n/g, '\n');
  const unsafeMain = read('postfix/unsafe/main.cf');
  const unsafeMaster = read('postfix/unsafe/master.cf');
  /** `bom`: a byte order mark is invisible to the product too (Postfix reads it as text). */
  const instances: {
    title: string;
    name: string;
    files: Record<string, string>;
    bom: boolean;
  }[] = [
    {
      title: 'postfix unsafe main.cf',
      name: 'main.cf',
      files: { 'main.cf': unsafeMain, 'master.cf': unsafeMaster },
      bom: false,
    },
    {
      title: 'postfix master.cf with -o overrides',
      name: 'master.cf',
      files: {
        'main.cf': unsafeMain,
        'master.cf':
          'smtp inet n - y - - smtpd\n  -o mynetworks=127.0.0.0/8,10.0.0.0/8,10.1.0.0/16\nsubmission inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n  -o { smtpd_relay_restrictions = permit_sasl_authenticated, reject }\n',
      },
      bom: false,
    },
    {
      title: 'postfix main.cf with a duplicate and continuation lines',
      name: 'main.cf',
      files: {
        'main.cf':
          'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\nmynetworks = 127.0.0.0/8,\n    10.0.0.0/8, 10.1.0.0/16,\n    192.168.1.5/24\nsmtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n',
        'master.cf': STOCK_MASTER,
      },
      bom: false,
    },
    {
      title: 'iis workaround metabase',
      name: 'MetaBase.xml',
      files: { 'MetaBase.xml': read('iis/ws2022-workaround.metabase.xml') },
      bom: true,
    },
    {
      title: 'exchange unsafe export',
      name: 'x.exchange.json',
      files: { 'x.exchange.json': read('exchange/unsafe-ex01.exchange.json') },
      bom: true,
    },
  ];

  /** ruleId, message and the text each finding covers (line ends normalised). */
  function view(text: string, findings: readonly Finding[]): string[] {
    return findings.map(
      (f) =>
        `${f.ruleId} ${f.message} @${text.slice(f.span.start, f.span.end).replace(/\r\n/g, '\n')}`,
    );
  }

  const lineOf = (starts: readonly number[], offset: number): number => {
    let line = 0;
    while (line + 1 < starts.length && (starts[line + 1] ?? Infinity) <= offset) line++;
    return line;
  };

  for (const inst of instances) {
    test(`${inst.title}: CRLF${inst.bom ? ' and a BOM' : ''}`, () => {
      const lf = inst.files;
      const crlf: Record<string, string> = {};
      for (const [k, v] of Object.entries(lf))
        crlf[k] = `${inst.bom ? '\uFEFF' : ''}${v.replace(/\n/g, '\r\n')}`;
      const a = lintSource({
        uri: inst.name,
        text: lf[inst.name] ?? '',
        siblings: mapSiblings(lf),
      });
      const b = lintSource({
        uri: inst.name,
        text: crlf[inst.name] ?? '',
        siblings: mapSiblings(crlf),
      });
      assert.ok(a.findings.length > 0, 'the LF file has findings to compare');
      assert.deepEqual(
        view(crlf[inst.name] ?? '', b.findings),
        view(lf[inst.name] ?? '', a.findings),
      );
      // Lines too: each finding starts on the same line.
      assert.deepEqual(
        b.findings.map((f) => lineOf(b.file.lineStarts, f.span.start)),
        a.findings.map((f) => lineOf(a.file.lineStarts, f.span.start)),
      );
    });
  }

  // Postfix reads a byte order mark as part of the first line ("\xEF\xBB\xBF# …" is a line
  // without "="), so a BOM is not invisible there: it must be named, on line 1.
  for (const [what, first] of [
    ['a comment', '# Postfix main.cf'],
    ['a parameter', 'compatibility_level = 3.6'],
  ] as const) {
    test(`postfix: a BOM before ${what} is a finding on line 1 that names it`, () => {
      const text = `\uFEFF${first}\r\nmynetworks = 127.0.0.0/8\r\n`;
      const { findings } = lintSource({
        uri: 'main.cf',
        text,
        siblings: mapSiblings({ 'master.cf': STOCK_MASTER }),
      });
      assertSane('BOM', text, findings);
      const hit = findings.find((f) => /byte order mark|BOM/i.test(f.message));
      assert.ok(hit !== undefined, findings.map((f) => f.message).join(' | '));
      assert.ok(hit.span.end <= text.indexOf('\n'), 'on line 1');
    });
  }
});

// ---------------------------------------------------------------------------------------------
// CLI, explain and --fix

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(argv: readonly string[], cwd: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    cwd,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

/** Exit 0, 1 or 2; stderr is one-line reasons, never a stack trace or an internal error. */
function assertCalm(r: CliRun, what: string): void {
  assert.ok([0, 1, 2].includes(r.code), `${what}: exit ${r.code}`);
  assert.doesNotMatch(r.stderr, /^\s+at |internal error|Error:/m, `${what}: ${r.stderr}`);
  for (const line of r.stderr.split('\n').filter((l) => l !== ''))
    assert.match(line, /^relay-lint: \S/, `${what}: not a one-line reason: ${line}`);
}

interface JsonFinding {
  readonly ruleId: string;
  readonly severity: string;
  readonly message: string;
  readonly range: { readonly start: { line: number; column: number } };
}
interface JsonReport {
  readonly files: readonly { readonly path: string; readonly findings: readonly JsonFinding[] }[];
}

describe('hostile native input: CLI, explain and --fix', () => {
  let root = '';
  let folders: string[] = [];
  before(() => {
    root = path.join(dir, 'cli');
    folders = CASES.map((c, i) => materialise(root, c, i));
  });

  for (const [i, c] of CASES.entries()) {
    test(`lint: ${c.title}`, GUARD, async () => {
      const folder = folders[i] ?? '';
      const r = await cli(['--format', 'json', '--concurrency', 'off', c.name], folder);
      assertCalm(r, c.title);
      const report = JSON.parse(r.stdout) as JsonReport;
      const findings = report.files.find((f) => f.path === c.name)?.findings ?? [];
      const { rule, message } = c.expect;
      // The default --fail-on is high: exit 1 exactly when a finding is high or critical.
      const failing = findings.some((f) => f.severity === 'critical' || f.severity === 'high');
      assert.equal(r.code, failing ? 1 : 0, `${c.title}: exit ${r.code} (${r.stderr})`);
      if (rule !== undefined || message !== undefined) {
        assert.ok(
          findings.some(
            (f) =>
              (rule === undefined || f.ruleId === rule) &&
              (message === undefined || message.test(f.message)),
          ),
          `${c.title}: ${findings.map((f) => f.message).join(' | ')}`,
        );
      }
      for (const f of findings) {
        assert.doesNotMatch(f.message, CRASHED);
        assert.ok(f.range.start.line >= 1 && f.range.start.column >= 1);
      }
    });

    test(`explain: ${c.title}`, GUARD, async () => {
      const folder = folders[i] ?? '';
      for (const format of ['text', 'json']) {
        const r = await cli(
          ['explain', c.name, '--client', '203.0.113.7', '--format', format],
          folder,
        );
        assertCalm(r, `${c.title} (${format})`);
        if (format === 'json' && r.code !== 2) {
          const out = JSON.parse(r.stdout) as { listeners: { outcome: string }[] };
          for (const l of out.listeners)
            assert.match(l.outcome, /^(allow|deny|config-error|service-down|unknown)$/);
          assert.equal(r.code, out.listeners.some((l) => l.outcome === 'allow') ? 1 : 0);
        }
      }
    });
  }

  test(
    'a FIFO named main.cf or MetaBase.xml on the command line blocks neither lint nor explain',
    GUARD,
    async () => {
      const folder = path.join(root, 'fifos');
      mkdirSync(folder, { recursive: true });
      for (const name of ['main.cf', 'MetaBase.xml'])
        execFileSync('mkfifo', [path.join(folder, name)]);
      // The built CLI in a child process: a read that blocks on the FIFO cannot be interrupted
      // in-process, and SIGTERM waits for JavaScript (the --fix cleanup handler), so SIGKILL.
      const cliJs = path.join(repoRoot(), 'server', 'dist', 'cli.js');
      const runChild = (args: readonly string[]): Promise<CliRun | undefined> =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, [cliJs, ...args], {
            cwd: folder,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve(undefined);
          }, 10_000);
          child.on('exit', (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? -1, stdout, stderr });
          });
        });
      for (const args of [
        ['main.cf', 'MetaBase.xml'],
        ['explain', 'main.cf', '--client', '203.0.113.7'],
        ['explain', 'MetaBase.xml', '--client', '203.0.113.7', '--format', 'json'],
      ]) {
        const r = await runChild(args);
        assert.ok(r !== undefined, `relay-lint ${args.join(' ')}: still blocked after 10 s`);
        assertCalm(r, args.join(' '));
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /not a regular file/);
      }
    },
  );

  test('invalid UTF-8 named like each native format: a one-line reason, exit 2', async () => {
    const folder = path.join(root, 'latin1');
    mkdirSync(folder, { recursive: true });
    const names = ['main.cf', 'master.cf', 'MetaBase.xml', 'x.exchange.json'];
    for (const name of names) writeFileSync(path.join(folder, name), randomBytes(9, 4096));
    const r = await cli(['--format', 'json', '--concurrency', 'off', '.'], folder);
    assertCalm(r, 'invalid UTF-8');
    assert.equal(r.code, 2);
    for (const name of names)
      assert.match(
        r.stderr,
        new RegExp(`cannot read ${name.replace(/\./g, '\\.')}: not valid UTF-8`),
      );
    const e = await cli(['explain', '.', '--client', '203.0.113.7'], folder);
    assertCalm(e, 'explain invalid UTF-8');
    assert.equal(e.code, 2);
  });

  test(
    '--fix writes no hostile file; a file with a safe fix is fixed and parses',
    BIG_GUARD,
    async () => {
      const fixRoot = path.join(dir, 'fix');
      CASES.forEach((c, i) => materialise(fixRoot, c, i));
      // The positive control: a redundant mynetworks item, removed by a safe fix.
      const control = path.join(fixRoot, 'control');
      mkdirSync(control);
      const controlText =
        'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8, 10.0.0.0/8, 10.1.0.0/16\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n';
      writeFileSync(path.join(control, 'main.cf'), controlText);
      writeFileSync(path.join(control, 'master.cf'), STOCK_MASTER);
      const before = snapshot(fixRoot);
      const r = await cli(['--fix', '--format', 'json', '--concurrency', 'off', '.'], fixRoot);
      assertCalm(r, '--fix');
      const afterFix = snapshot(fixRoot);
      const changed = [...before.keys()].filter((k) => before.get(k) !== afterFix.get(k));
      assert.deepEqual(changed, ['control/main.cf']);
      const fixed = readFileSync(path.join(control, 'main.cf'), 'utf8');
      assert.doesNotMatch(fixed, /10\.1\.0\.0\/16/);
      const again = lintSource({
        uri: path.join(control, 'main.cf'),
        text: fixed,
        siblings: siblingsOf(path.join(control, 'main.cf')),
      });
      assert.ok(!again.findings.some((f) => f.ruleId === 'RLY099' || f.ruleId === 'RLY017'));
    },
  );
});

// ---------------------------------------------------------------------------------------------
// The language server

describe('hostile native input: language server', () => {
  function inside(text: string, range: Range): boolean {
    const lines = text.split(/\r\n|\r|\n/);
    const ok = (p: Range['start']): boolean =>
      p.line >= 0 &&
      p.line < lines.length &&
      p.character >= 0 &&
      p.character <= (lines[p.line]?.length ?? 0);
    return ok(range.start) && ok(range.end);
  }

  // One server for every case, as an editor session would be: a case that kills it fails the
  // cases after it too, and the last test checks it still lints.
  let ws: ReturnType<typeof tempWorkspace>;
  let client: TestClient;
  before(async () => {
    ws = tempWorkspace();
    client = await startTestClient({ workspaceFolders: [ws.uri] });
  });
  after(async () => {
    await client.dispose();
    ws.dispose();
  });

  for (const [i, c] of CASES.entries()) {
    test(`${c.title}: diagnostics arrive, hover and code actions answer`, GUARD, async () => {
      const folder = materialise(ws.dir, c, i);
      const rel = path.relative(ws.dir, path.join(folder, c.name));
      const text = textOf(c);
      const uri = ws.uriOf(rel);
      const next = client.nextDiagnostics(uri);
      const languageId = /\.xml$/.test(c.name)
        ? 'xml'
        : /\.json$/.test(c.name)
          ? 'json'
          : 'plaintext';
      client.open(uri, text, 1, languageId);
      try {
        const { diagnostics } = await next;
        for (const d of diagnostics) {
          assert.ok(inside(text, d.range), `${c.title}: ${JSON.stringify(d.range)}`);
          assert.doesNotMatch(messageOf(d), CRASHED);
        }
        // Hover at the start, in the middle and at each of the first diagnostics; code actions
        // for them: each request answers (a rejected promise fails the test).
        const positions = [
          { line: 0, character: 0 },
          { line: Math.floor(text.split('\n').length / 2), character: 0 },
          ...diagnostics.slice(0, 5).map((d) => d.range.start),
        ];
        for (const p of positions) await client.hover(uri, p);
        for (const d of diagnostics.slice(0, 5)) await client.codeActions(uri, d.range, [d]);
        const { rule, message } = c.expect;
        if (rule !== undefined || message !== undefined)
          assert.ok(
            diagnostics.some(
              (d: Diagnostic) =>
                (rule === undefined || d.code === rule) &&
                (message === undefined || message.test(messageOf(d))),
            ),
            `${c.title}: ${diagnostics.map(messageOf).join(' | ')}`,
          );
      } finally {
        client.close(uri);
      }
    });
  }

  test('after all of them, the server still lints a normal native file', GUARD, async () => {
    const example = (rel: string): string =>
      readFileSync(path.join(repoRoot(), 'examples/postfix/unsafe', rel), 'utf8');
    ws.write('alive/master.cf', example('master.cf'));
    const main = example('main.cf');
    const uri = ws.write('alive/main.cf', main);
    const next = client.nextDiagnostics(uri);
    client.open(uri, main, 1, 'plaintext');
    assert.ok((await next).diagnostics.some((d) => d.code === 'RLY001'));
  });
});
