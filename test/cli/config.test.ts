import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run } from '../../server/src/cli/main.js';
import { clearConfigCache } from '../../server/src/host/config-discovery.js';

interface JsonFinding {
  readonly ruleId: string;
  readonly severity: string;
  readonly message: string;
  readonly range: { readonly start: { readonly line: number; readonly column: number } };
  readonly suppressed: boolean;
  readonly suppressionReason?: string;
}

interface JsonReport {
  readonly files: readonly { readonly path: string; readonly findings: readonly JsonFinding[] }[];
}

interface Outcome {
  readonly code: number;
  readonly report: JsonReport;
  readonly stderr: string;
}

/** An anonymous relay: RLY004 (anonymous-auth) and RLY031 (auth-relay-any-address) fire. */
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
          list: [10.20.0.25]
          allowAuthenticated: true
`;

let root = '';

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

async function lintJson(argv: readonly string[], cwdRel = '.'): Promise<Outcome> {
  clearConfigCache();
  let stdout = '';
  let stderr = '';
  const code = await run(['--format', 'json', '--fail-on', 'never', ...argv], {
    cwd: path.join(root, cwdRel),
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
  });
  assert.ok(stdout.length > 0, `no report; stderr: ${stderr}`);
  return { code, report: JSON.parse(stdout) as JsonReport, stderr };
}

function paths(o: Outcome): string[] {
  return o.report.files.map((f) => f.path);
}

function rulesOf(o: Outcome, file: string): string[] {
  const f = o.report.files.find((x) => x.path === file);
  assert.ok(f, `${file} is not in the report (${paths(o).join(', ')})`);
  return f.findings.filter((x) => !x.suppressed).map((x) => x.ruleId);
}

describe('CLI and .relay-lint.yaml', () => {
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'relay-lint-config-'));
    // repo/.relay-lint.yaml governs everything below it, except team/ (its own, root: true).
    write(
      'repo/.relay-lint.yaml',
      `root: true
ignore: ["archive/**"]
rules:
  RLY004: off
overrides:
  - files: ["partners/*.relay.json"]
    rules: { auth-relay-any-address: off }
    reason: partner relays are reviewed quarterly
`,
    );
    write('repo/sites/east/deep/edge.relay.yaml', RELAY);
    write('repo/archive/old.relay.yaml', RELAY);
    write('repo/partners/acme.relay.json', JSON.stringify(JSON.parse(toJson(RELAY)), null, 2));
    write('repo/team/.relay-lint.yaml', 'root: true\nrules:\n  RLY031: off\n');
    write('repo/team/mail/team.relay.yaml', RELAY);
    write(
      'repo/ci/relay-lint.yaml',
      'rules:\n  auth-relay-any-address: off\nignore: ["sites/**"]\n',
    );
    write('broken/.relay-lint.yaml', 'rules:\n  RLY004: off\n  RLY031: [low\n');
    write('broken/servers/a.relay.yaml', RELAY);
    write('invalid/.relay-lint.yaml', 'rules:\n  anonymous-auht: off\n');
    write('invalid/a.relay.yaml', RELAY);
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('a file in a nested folder uses the nearest configuration above it', async () => {
    const fromRepo = await lintJson(['sites'], 'repo');
    assert.deepEqual(rulesOf(fromRepo, 'sites/east/deep/edge.relay.yaml'), ['RLY031']);
    // Run from deep inside: the search still walks up to repo/.relay-lint.yaml.
    const fromDeep = await lintJson(['.'], 'repo/sites/east/deep');
    assert.deepEqual(rulesOf(fromDeep, 'edge.relay.yaml'), ['RLY031']);
    const named = await lintJson(['edge.relay.yaml'], 'repo/sites/east/deep');
    assert.deepEqual(rulesOf(named, 'edge.relay.yaml'), ['RLY031']);
  });

  test('a configuration with root: true governs its folder; the one above does not apply', async () => {
    const o = await lintJson(['.'], 'repo');
    assert.deepEqual(rulesOf(o, 'team/mail/team.relay.yaml'), ['RLY004']);
    assert.deepEqual(rulesOf(o, 'sites/east/deep/edge.relay.yaml'), ['RLY031']);
  });

  test('ignore globs skip files when a folder is searched; a file named explicitly is linted', async () => {
    const walked = await lintJson(['.'], 'repo');
    assert.ok(!paths(walked).includes('archive/old.relay.yaml'), paths(walked).join(', '));
    assert.ok(paths(walked).includes('partners/acme.relay.json'));
    const named = await lintJson(['archive/old.relay.yaml'], 'repo');
    assert.deepEqual(rulesOf(named, 'archive/old.relay.yaml'), ['RLY031']);
  });

  test('overrides suppress with their reason; suppressed findings stay in the JSON', async () => {
    const o = await lintJson(['partners'], 'repo');
    const file = o.report.files.find((f) => f.path === 'partners/acme.relay.json');
    const f = file?.findings.find((x) => x.ruleId === 'RLY031');
    assert.equal(f?.suppressed, true);
    assert.equal(f?.suppressionReason, 'partner relays are reviewed quarterly');
    assert.equal(o.code, 0);
  });

  test('--config FILE replaces discovery; its globs are relative to the working directory', async () => {
    const o = await lintJson(['--config', 'ci/relay-lint.yaml', '.'], 'repo');
    assert.ok(!paths(o).some((p) => p.startsWith('sites/')), 'ignore: ["sites/**"] applies');
    // repo/.relay-lint.yaml (RLY004 off, archive ignored) is not read.
    assert.deepEqual(rulesOf(o, 'archive/old.relay.yaml'), ['RLY004']);
    assert.deepEqual(rulesOf(o, 'team/mail/team.relay.yaml'), ['RLY004']);
    const missing = await run(['--config', 'nope.yaml', '.'], {
      cwd: path.join(root, 'repo'),
      stdout: () => undefined,
      stderr: () => undefined,
      isTTY: false,
    });
    assert.equal(missing, 2);
  });

  test('a broken configuration is reported with its position and linting goes on with the defaults', async () => {
    const o = await lintJson(['.'], 'broken');
    assert.equal(o.code, 2, 'a broken configuration is a configuration error');
    assert.match(
      o.stderr,
      /\.relay-lint\.yaml has 1 problem; the files it governs were linted with the default configuration/,
    );
    const config = o.report.files.find((f) => f.path === '.relay-lint.yaml');
    assert.ok(config, paths(o).join(', '));
    assert.equal(config.findings[0]?.ruleId, 'RLY099');
    assert.equal(config.findings[0]?.range.start.line, 4);
    // The defaults: RLY004 is not off.
    assert.deepEqual(rulesOf(o, 'servers/a.relay.yaml').sort(), ['RLY004', 'RLY031']);
  });

  test('a schema-invalid configuration is RLY000 at the offending key, in text output too', async () => {
    const o = await lintJson(['.'], 'invalid');
    const config = o.report.files.find((f) => f.path === '.relay-lint.yaml');
    assert.equal(config?.findings[0]?.ruleId, 'RLY000');
    assert.deepEqual(config?.findings[0]?.range.start, { line: 2, column: 3 });
    assert.match(config?.findings[0]?.message ?? '', /did you mean "anonymous-auth"\?/);
    assert.deepEqual(rulesOf(o, 'a.relay.yaml').sort(), ['RLY004', 'RLY031']);
    clearConfigCache();
    let text = '';
    const code = await run(['.'], {
      cwd: path.join(root, 'invalid'),
      stdout: (t) => (text += t),
      stderr: () => undefined,
      isTTY: false,
    });
    assert.equal(code, 2);
    assert.match(text, /\.relay-lint\.yaml/);
    assert.match(text, /RLY000/);
  });
});

/** The relay configuration above as JSON text. */
function toJson(yaml: string): string {
  // The fixture is simple enough to write out by hand; keep the two in step.
  assert.ok(yaml.includes('anonymous: true'));
  return JSON.stringify({
    version: 1,
    servers: [
      {
        name: 'SMTP-01',
        listeners: [
          {
            name: 'Default',
            authentication: { anonymous: true, integratedWindows: true },
            relay: { mode: 'onlyList', list: ['10.20.0.25'], allowAuthenticated: true },
          },
        ],
      },
    ],
  });
}
