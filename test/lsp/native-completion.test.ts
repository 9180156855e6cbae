import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import picomatch from 'picomatch';
import type { CompletionItem, TextEdit } from 'vscode-languageserver/node';
import { DEFAULT_CONFIG, isIncluded } from '../../server/src/core/config/project-config.js';
import { completionsAt } from '../../server/src/lsp/completion.js';
import { postfixCompletionsAt } from '../../server/src/lsp/postfix-completion.js';
import {
  logicalLineAt,
  mainCfParameterAt,
  masterCfOverrideAt,
  masterCfServiceAt,
} from '../../server/src/lsp/postfix-lines.js';
import {
  POSTFIX_PARAMETERS,
  POSTFIX_RESTRICTIONS,
} from '../../server/src/lsp/postfix-vocabulary.js';
import { POSTFIX_LANGUAGES } from '../../server/src/protocol/index.js';
import {
  NATIVE_FILE_PATTERNS,
  nativeDocumentFilters,
  postfixLanguageOf,
  userAssociated,
} from '../../server/src/protocol/native-files.js';

/** Completion at the `|` of a text. */
function at(text: string, file: 'main' | 'master'): { items: CompletionItem[]; text: string } {
  const offset = text.indexOf('|');
  assert.ok(offset >= 0, 'the text marks the cursor with |');
  const clean = text.slice(0, offset) + text.slice(offset + 1);
  return { items: postfixCompletionsAt(clean, file, offset), text: clean };
}

function labels(items: readonly CompletionItem[]): string[] {
  return items.map((i) => i.label);
}

/** The text after applying an item's edit (single-line edits, as completion makes). */
function apply(text: string, item: CompletionItem): string {
  const edit = item.textEdit as TextEdit;
  const lines = text.split('\n');
  const line = lines[edit.range.start.line] ?? '';
  lines[edit.range.start.line] =
    line.slice(0, edit.range.start.character) + edit.newText + line.slice(edit.range.end.character);
  return lines.join('\n');
}

describe('Postfix completion', () => {
  test('parameter names at the start of a main.cf line, relay parameters first', () => {
    const { items, text } = at('compatibility_level = 3.6\nmyne|\n', 'main');
    assert.ok(labels(items).includes('mynetworks'));
    assert.ok(!labels(items).includes('compatibility_level'), 'defined names are left out');
    const mynetworks = items.find((i) => i.label === 'mynetworks');
    assert.ok(mynetworks !== undefined);
    assert.equal(apply(text, mynetworks), 'compatibility_level = 3.6\nmynetworks = \n');
    const doc = mynetworks.documentation;
    assert.ok(typeof doc === 'object' && /permit_mynetworks/.test(doc.value));
    const sorted = [...items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
    const firstPlain = sorted.findIndex(
      (i) => POSTFIX_PARAMETERS.find((p) => p.name === i.label)?.relay !== true,
    );
    const lastRelay = sorted
      .map((i) => POSTFIX_PARAMETERS.find((p) => p.name === i.label)?.relay === true)
      .lastIndexOf(true);
    assert.ok(lastRelay < firstPlain, 'relay parameters sort before the others');
  });

  test('restriction names in a restriction list, also on a continuation line', () => {
    const one = at('smtpd_relay_restrictions = permit_mynetworks, reject_un|\n', 'main');
    assert.deepEqual(
      labels(one.items),
      POSTFIX_RESTRICTIONS.map((r) => r.name),
    );
    const guard = one.items.find((i) => i.label === 'reject_unauth_destination');
    assert.ok(guard !== undefined);
    assert.equal(
      apply(one.text, guard),
      'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n',
    );
    const cont = at(
      'smtpd_recipient_restrictions =\n    permit_mynetworks,\n# a comment line\n    check_cl|\n',
      'main',
    );
    const access = cont.items.find((i) => i.label === 'check_client_access');
    assert.ok(access !== undefined);
    assert.equal(access.detail, 'restriction (takes a table)');
    assert.match(apply(cont.text, access), /\n {4}check_client_access \n$/);
  });

  test('values of enumerated parameters; nothing in free values', () => {
    const style = at('mynetworks_style = s|\n', 'main');
    assert.deepEqual(labels(style.items), ['host', 'subnet', 'class']);
    assert.equal(style.items.find((i) => i.label === 'host')?.detail, 'default');
    assert.deepEqual(at('myhostname = mx|\n', 'main').items, []);
    assert.deepEqual(at('# mynetworks = |\n', 'main').items, []);
  });

  test('master.cf: names after -o, restrictions in an -o restriction value', () => {
    const names = at('submission inet n - y - - smtpd\n  -o smtpd_sa|\n', 'master');
    const sasl = names.items.find((i) => i.label === 'smtpd_sasl_auth_enable');
    assert.ok(sasl !== undefined);
    assert.equal(
      apply(names.text, sasl),
      'submission inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=\n',
    );
    const values = at(
      'submission inet n - y - - smtpd\n  -o smtpd_relay_restrictions=permit_sasl_authenticated,rej|\n',
      'master',
    );
    assert.ok(labels(values.items).includes('reject_unauth_destination'));
    const yesNo = at('smtp inet n - y - - smtpd\n  -o smtpd_tls_auth_only=|\n', 'master');
    assert.deepEqual(labels(yesNo.items), ['yes', 'no']);
    assert.deepEqual(at('smtp inet n - y - - sm|\n', 'master').items, []);
  });

  test('completionsAt dispatches on the file format; IIS and Exchange get nothing', () => {
    assert.ok(completionsAt('myne', 'postfix-main', 4).some((i) => i.label === 'mynetworks'));
    assert.ok(
      completionsAt('smtp inet n - y - - smtpd\n  -o myne', 'postfix-master', 36).some(
        (i) => i.label === 'mynetworks',
      ),
    );
    assert.deepEqual(completionsAt('<configuration>', 'iis', 3), []);
    assert.deepEqual(completionsAt('{"Name": ""}', 'exchange', 10), []);
  });

  test('every table entry has a meaning, and names are unique', () => {
    for (const list of [POSTFIX_PARAMETERS, POSTFIX_RESTRICTIONS]) {
      const names = list.map((e) => e.name);
      assert.equal(new Set(names).size, names.length);
      for (const e of list) assert.ok(e.meaning.length > 10, `${e.name} has a meaning`);
    }
  });
});

describe('Postfix logical lines', () => {
  const MAIN = [
    'mynetworks = 127.0.0.0/8,', //
    '    10.0.0.0/8',
    '',
    '# comment',
    '    192.168.0.0/16',
    'relay_domains =',
  ].join('\n');

  test('continuation lines belong to their head; comment and blank lines do not end it', () => {
    const off = MAIN.indexOf('192.168');
    const p = mainCfParameterAt(MAIN, off);
    assert.equal(p?.name, 'mynetworks');
    assert.deepEqual(p.nameSpan, { start: 0, end: 'mynetworks'.length });
    assert.equal(p.line.end, MAIN.indexOf('\nrelay_domains'));
    assert.equal(mainCfParameterAt(MAIN, MAIN.indexOf('comment')), undefined);
    assert.equal(mainCfParameterAt(MAIN, MAIN.indexOf('relay_domains') + 2)?.name, 'relay_domains');
    assert.equal(logicalLineAt('    orphan continuation', 5), undefined);
  });

  test('CRLF line ends', () => {
    const crlf = MAIN.replace(/\n/g, '\r\n');
    assert.equal(mainCfParameterAt(crlf, crlf.indexOf('10.0.0.0'))?.name, 'mynetworks');
  });

  test('master.cf services and -o overrides', () => {
    const MASTER = 'submission inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes -o x=1\n';
    const s = masterCfServiceAt(MASTER, MASTER.indexOf('sasl'));
    assert.equal(s?.service, 'submission');
    assert.equal(s.type, 'inet');
    assert.equal(s.command, 'smtpd');
    const o = masterCfOverrideAt(MASTER, MASTER.indexOf('yes'));
    assert.equal(o?.name, 'smtpd_sasl_auth_enable');
    assert.equal(masterCfOverrideAt(MASTER, MASTER.indexOf('x=1') + 2)?.name, 'x');
  });
});

describe('native files in the client', () => {
  const SERVER_NAMES = [
    'main.cf',
    'etc/postfix/master.cf',
    'edge.main.cf',
    'roles/mx/templates/main.cf.j2',
    'master.cf.j2',
    'MetaBase.xml',
    'inetsrv/METABASE.xml',
    'backup/srv1.metabase.xml',
    'ex01.exchange.json',
  ];

  test('the client sends every file the default `files` globs lint', () => {
    const matchers = NATIVE_FILE_PATTERNS.map((p) => picomatch(p, { dot: true }));
    for (const name of SERVER_NAMES) {
      assert.ok(isIncluded(DEFAULT_CONFIG, name), `${name} is a default relay file`);
      assert.ok(
        matchers.some((m) => m(name)),
        `${name} is selected by the client`,
      );
    }
    for (const name of ['main.cfg', 'notes.txt', 'metabase.xml.bak', 'x.json'])
      assert.ok(!matchers.some((m) => m(name)), `${name} is not selected`);
    // Selected by name whatever the language id, plus the extension's own Postfix ids.
    const filters = nativeDocumentFilters();
    assert.ok(filters.every((f) => f.scheme === 'file'));
    assert.ok(filters.some((f) => f.language === POSTFIX_LANGUAGES.main));
  });

  test('Postfix language ids by name; files.associations wins', () => {
    assert.equal(postfixLanguageOf('/etc/postfix/main.cf'), POSTFIX_LANGUAGES.main);
    assert.equal(postfixLanguageOf('C:\\pf\\edge.master.cf'), POSTFIX_LANGUAGES.master);
    assert.equal(postfixLanguageOf('/t/main.cf.j2'), POSTFIX_LANGUAGES.main);
    assert.equal(postfixLanguageOf('/etc/postfix/main.cf.bak'), undefined);
    assert.equal(postfixLanguageOf('/x/MetaBase.xml'), undefined);
    assert.ok(userAssociated({ 'main.cf': 'plaintext' }, '/etc/postfix/main.cf'));
    assert.ok(userAssociated({ '*.CF': 'ini' }, '/etc/postfix/main.cf'));
    assert.ok(userAssociated({ '**/postfix/*': 'x' }, '/etc/postfix/main.cf'));
    assert.ok(!userAssociated({ '*.yaml': 'yaml' }, '/etc/postfix/main.cf'));
    assert.ok(!userAssociated({ '[': 'broken glob' }, '/etc/postfix/main.cf'));
  });
});
