import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/repo-root.js';

const ROOT = repoRoot();
const temps: string[] = [];
after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'relay-lint-cli-'));
  temps.push(d);
  return d;
}

const OPEN = `version: 1
servers:
  - name: EDGE
    listeners:
      - name: Default
        authentication:
          anonymous: true
        relay:
          mode: allExcept
          list: []
`;

interface JsonReport {
  files: {
    path: string;
    findings: {
      ruleId: string;
      severity: string;
      range: { start: { line: number; column: number } };
    }[];
  }[];
  summary: { files: number; findings: Record<string, number> };
}

describe('relay-lint CLI', () => {
  test('the insecure examples exit 1 with findings; the secure ones exit 0', async () => {
    const bad = await runCli(['examples/insecure'], ROOT);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /RLY002 all-except-empty/);
    const good = await runCli(['examples/secure'], ROOT);
    assert.equal(good.code, 0, good.stdout);
  });

  test('JSON output: 1-based positions, sorted files, relative paths with /', async () => {
    const r = await runCli(['examples', '--format', 'json'], ROOT);
    const report = JSON.parse(r.stdout) as JsonReport;
    const paths = report.files.map((f) => f.path);
    assert.deepEqual(paths, [...paths].sort());
    assert.ok(paths.every((p) => p.startsWith('examples/') && !p.includes('\\')));
    const open = report.files.find((f) => f.path === 'examples/insecure/open-relay.relay.yaml');
    const rly002 = open?.findings.find((f) => f.ruleId === 'RLY002');
    assert.deepEqual(rly002?.range.start, { line: 17, column: 17 });
    assert.equal(report.summary.files, report.files.length);
  });

  test('--fail-on decides the exit code', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.relay.yaml'), OPEN);
    assert.equal((await runCli(['.', '--fail-on', 'never'], dir)).code, 0);
    assert.equal((await runCli(['.', '--fail-on', 'critical'], dir)).code, 1);
  });

  test('usage errors, missing paths and bad flags exit 2 with one line on stderr', async () => {
    for (const argv of [
      ['--format', 'xml'],
      ['--fail-on', 'severe'],
      ['--bogus'],
      ['no/such/path'],
    ]) {
      const r = await runCli(argv, ROOT);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /at .*\(.*:\d+:\d+\)/, 'no stack trace');
    }
  });

  test('folders are searched with the default globs, skipping node_modules and .git', async () => {
    const dir = tempDir();
    for (const p of [
      'a.relay.yaml',
      'b.relay.json',
      'c.yaml',
      'node_modules/x.relay.yaml',
      '.git/y.relay.yaml',
      'sub/d.relay.yml',
    ]) {
      const full = path.join(dir, p);
      execFileSync('mkdir', ['-p', path.dirname(full)]);
      writeFileSync(
        full,
        p.endsWith('.json') ? '{"version": 1, "servers": []}' : 'version: 1\nservers: []\n',
      );
    }
    const r = await runCli(['.', '--format', 'json'], dir);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(
      report.files.map((f) => f.path),
      ['a.relay.yaml', 'b.relay.json', 'sub/d.relay.yml'],
    );
  });

  test('text output is plain without a TTY and coloured with one', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.relay.yaml'), OPEN);
    assert.ok(!(await runCli(['.'], dir)).stdout.includes('\u001b['));
    assert.ok((await runCli(['.'], dir, true)).stdout.includes('\u001b['));
  });

  test('--output writes the report to a file', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.relay.yaml'), OPEN);
    const r = await runCli(['a.relay.yaml', '--format', 'json', '--output', 'out.json'], dir);
    assert.equal(r.stdout, '');
    const report = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as JsonReport;
    assert.equal(report.files.length, 1);
  });

  test('--fix applies safe fixes only, atomically, and a second run has nothing left to fix', async () => {
    const dir = tempDir();
    cpSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
    const before = new Map<string, string>();
    const files = execFileSync('find', ['examples', '-type', 'f'], { cwd: dir, encoding: 'utf8' })
      .trim()
      .split('\n');
    for (const f of files) before.set(f, readFileSync(path.join(dir, f), 'utf8'));
    const first = await runCli(['examples', '--fix', '--format', 'json'], dir);
    assert.notEqual(first.code, 2, first.stderr);
    const afterFirst = new Map(files.map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
    const second = await runCli(['examples', '--fix', '--format', 'json'], dir);
    assert.equal(second.stderr, '', 'the second run fixes nothing');
    for (const f of files)
      assert.equal(
        readFileSync(path.join(dir, f), 'utf8'),
        afterFirst.get(f),
        `${f} changed on the second run`,
      );
    const report = JSON.parse(second.stdout) as {
      files: { findings: { fixes: { safe: boolean }[]; suppressed: boolean }[] }[];
    };
    const safeLeft = report.files
      .flatMap((f) => f.findings)
      .filter((x) => !x.suppressed && x.fixes.some((y) => y.safe));
    assert.equal(safeLeft.length, 0);
    // Whatever changed, the critical findings are untouched: safe fixes never change who may relay.
    const crit = (await runCli(['examples', '--fail-on', 'critical', '--format', 'json'], dir))
      .stdout;
    const original = (await runCli(['examples', '--fail-on', 'critical', '--format', 'json'], ROOT))
      .stdout;
    const count = (s: string) => (JSON.parse(s) as JsonReport).summary.findings['critical'];
    assert.equal(count(crit), count(original));
    assert.ok(
      !execFileSync('ls', ['-a', path.join(dir, 'examples', 'insecure')], {
        encoding: 'utf8',
      }).includes('.tmp'),
      'no temp files left',
    );
  });
});

describe('README', () => {
  test('the sample output is what the CLI prints today', async () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const m = /<!-- sample:start -->\s*```text\n\$ npx relay-lint (\S+)\n([\s\S]*?)```/.exec(
      readme,
    );
    assert.ok(m, 'README has a sample block');
    const r = await runCli([m[1] ?? ''], ROOT);
    assert.equal(
      r.stdout.trimEnd(),
      (m[2] ?? '').trimEnd(),
      'README sample drifted: paste the current output',
    );
  });
});

describe('the bundled CLI', () => {
  test('server/dist/cli.js runs from the build', () => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'server', 'dist', 'cli.js'),
        'examples/insecure/open-relay.relay.yaml',
        '--format',
        'json',
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.ok(report.files[0]?.findings.some((f) => f.ruleId === 'RLY001'));
  });

  test('--version and --help', () => {
    const v = spawnSync(
      process.execPath,
      [path.join(ROOT, 'server', 'dist', 'cli.js'), '--version'],
      { encoding: 'utf8' },
    );
    assert.match(v.stdout, /^\d+\.\d+\.\d+/);
    const h = spawnSync(process.execPath, [path.join(ROOT, 'server', 'dist', 'cli.js'), '--help'], {
      encoding: 'utf8',
    });
    assert.match(h.stdout, /Usage: relay-lint/);
  });
});
