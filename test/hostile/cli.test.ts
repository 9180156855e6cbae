import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs, {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run } from '../../server/src/cli/main.js';
import { LIMITS } from '../../server/src/core/parse/limits.js';
import { randomBytes, readFixture, ruleFixtures } from '../support/hostile.js';
import { repoRoot } from '../support/repo-root.js';

// Hostile input for the CLI, which reads bytes from disk: every case ends in a finding with a
// line and column, or a one-line reason on stderr, and an exit code; never a crash or a hang.

interface Position {
  readonly line: number;
  readonly column: number;
}
interface JsonFinding {
  readonly ruleId: string;
  readonly message: string;
  readonly range: { readonly start: Position; readonly end: Position };
}
interface JsonReport {
  readonly files: readonly { readonly path: string; readonly findings: readonly JsonFinding[] }[];
}
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

async function json(argv: readonly string[], cwd: string): Promise<JsonReport & CliRun> {
  const r = await cli(['--format', 'json', '--concurrency', 'off', ...argv], cwd);
  assert.ok(r.stdout.startsWith('{'), `no JSON report (exit ${r.code}): ${r.stderr}`);
  return { ...r, ...(JSON.parse(r.stdout) as JsonReport) };
}

function findingsOf(report: JsonReport, file: string): readonly JsonFinding[] {
  const entry = report.files.find((f) => f.path === file);
  assert.ok(entry !== undefined, `${file} is not in the report`);
  return entry.findings;
}

/** One finding matching `expected`, at a real position. */
function expectFinding(findings: readonly JsonFinding[], expected: RegExp): JsonFinding {
  const hit = findings.find((f) => expected.test(f.message));
  assert.ok(
    hit !== undefined,
    `no ${String(expected)} in ${findings.map((f) => f.message).join(' | ')}`,
  );
  assert.ok(hit.range.start.line >= 1 && hit.range.start.column >= 1);
  return hit;
}

const GUARD = { timeout: 60_000 };
const isRoot = process.getuid?.() === 0;
let dir = '';

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'relay-lint-hostile-cli-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Node has no mkfifo; the coreutils command does it. */
function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

function put(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return name;
}

describe('hostile input: CLI', () => {
  test(
    'random bytes: not valid UTF-8, so not read; one line each on stderr, exit 2',
    GUARD,
    async () => {
      const names = [1, 2, 3].flatMap((seed) => [
        put(`random/r${seed}.relay.yaml`, randomBytes(seed, 8192)),
        put(`random/r${seed}.relay.json`, randomBytes(seed + 10, 8192)),
      ]);
      const r = await json(names, dir);
      assert.equal(r.code, 2);
      for (const name of names)
        assert.match(
          r.stderr,
          new RegExp(
            `cannot read ${name.replace(/\./g, '\\.')}: not valid UTF-8 \\(line \\d+, column \\d+`,
          ),
        );
    },
  );

  test('a binary file (a PNG header) named like a relay file: not valid UTF-8', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const r = await json([put('image.relay.yaml', png)], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read image\.relay\.yaml: not valid UTF-8 \(line 1, column 1\b/);
  });

  test('valid UTF-8 with NUL bytes is refused as binary at the first NUL', async () => {
    const bin = Uint8Array.from([0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const r = await json([put('nul.relay.yaml', bin)], dir);
    const hit = expectFinding(findingsOf(r, 'nul.relay.yaml'), /looks binary/);
    assert.deepEqual(hit.range.start, { line: 3, column: 1 }); // after \r\n and \x1a\n
  });

  test('invalid UTF-8: the file cannot be read, named at the first bad byte; exit 2', async () => {
    const bytes = Buffer.concat([
      Buffer.from('version: 1\nservers:\n  - name: caf'),
      Buffer.from([0xe9]), // Latin-1 "é"
      Buffer.from('\n'),
    ]);
    const r = await json([put('latin1.relay.yaml', bytes)], dir);
    assert.equal(r.code, 2);
    assert.equal(
      r.files.find((f) => f.path === 'latin1.relay.yaml'),
      undefined,
      'not linted',
    );
    assert.match(
      r.stderr,
      /cannot read latin1\.relay\.yaml: not valid UTF-8 \(line 3, column 14\b/,
    );
  });

  test('a valid file containing U+FFFD is analysed like any other (issue 11 #5)', async () => {
    const text = readFixture('test/lsp/fixtures/edge.relay.yaml').replace(
      'version: 1',
      'version: 1\n# ok \uFFFD',
    );
    const r = await json([put('fffd.relay.yaml', text)], dir);
    const findings = findingsOf(r, 'fffd.relay.yaml');
    assert.ok(!findings.some((f) => /UTF-8/.test(f.message)));
    assert.ok(
      findings.some((f) => f.ruleId === 'RLY001'),
      'its real findings are reported',
    );
  });

  test('a lone surrogate (CESU-8 bytes) is invalid UTF-8; an escaped one in JSON is text', async () => {
    const cesu = Buffer.concat([
      Buffer.from('version: 1\nservers: []\nx: "'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"\n'),
    ]);
    const escaped = '{"version": 1, "servers": [{"name": "\\ud800", "listeners": []}], "x": 1}';
    const r = await json([put('cesu.relay.yaml', cesu), put('escaped.relay.json', escaped)], dir);
    assert.match(r.stderr, /cannot read cesu\.relay\.yaml: not valid UTF-8 \(line 3, column 5\b/);
    const hit = expectFinding(findingsOf(r, 'escaped.relay.json'), /Unknown key "x"/);
    assert.deepEqual(hit.range.start, { line: 1, column: escaped.indexOf('"x"') + 1 });
  });

  test('duplicate keys: a syntax finding at the repeated key', async () => {
    const text = 'version: 1\nservers: []\nversion: 1\n';
    const r = await json([put('dup.relay.yaml', text)], dir);
    const hit = expectFinding(findingsOf(r, 'dup.relay.yaml'), /"version" is repeated/);
    assert.deepEqual(hit.range, { start: { line: 3, column: 1 }, end: { line: 3, column: 8 } });
  });

  test('5 MiB exactly is analysed; 5 MiB and one byte, and 50 MB, are refused', GUARD, async () => {
    const head = 'version: 1\nservers: []\n#';
    const sized = (n: number): string => `${head}${'x'.repeat(n - head.length - 1)}\n`;
    const names = [
      put('at-limit.relay.yaml', sized(LIMITS.maxFileSize)),
      put('over-limit.relay.yaml', sized(LIMITS.maxFileSize + 1)),
      put('huge.relay.yaml', sized(50 * 1000 * 1000)),
    ];
    const r = await json(names, dir);
    assert.deepEqual(findingsOf(r, 'at-limit.relay.yaml'), []);
    const over = expectFinding(findingsOf(r, 'over-limit.relay.yaml'), /over the limit/);
    assert.match(over.message, /5,242,881 characters/);
    assert.deepEqual(over.range.start, { line: 1, column: 1 });
    expectFinding(findingsOf(r, 'huge.relay.yaml'), /50,000,000 characters \(47\.7 MiB\)/);
    assert.equal(r.code, 1);
  });

  test(
    '10,000-deep nesting, flow and block, YAML and JSON: a finding where it crosses the limit',
    GUARD,
    async () => {
      const N = 10_000;
      const names = [
        put('deep/flow.relay.yaml', `version: 1\nservers: ${'['.repeat(N)}${']'.repeat(N)}\n`),
        put('deep/block.relay.yaml', `version: 1\nservers:\n${'- '.repeat(N)}x\n`),
        put(
          'deep/map.relay.json',
          `{"version": 1, "servers": ${'{"a":'.repeat(N)}1${'}'.repeat(N)}}`,
        ),
      ];
      const r = await json(names, dir);
      const at = names.map(
        (n) => expectFinding(findingsOf(r, n), /nests deeper than 500 levels/).range.start,
      );
      assert.deepEqual(at, [
        { line: 2, column: 10 + LIMITS.maxDepth - 1 },
        { line: 3, column: 2 * (LIMITS.maxDepth - 1) + 1 },
        { line: 1, column: 27 + 5 * (LIMITS.maxDepth - 1) },
      ]);
    },
  );

  test('an alias bomb: one finding at the alias that crosses the node budget', GUARD, async () => {
    let text = 'version: 1\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let prev = 'a';
    for (let i = 0; i < 9; i++) {
      text += `b${i}: &b${i} [${Array<string>(9).fill(`*${prev}`).join(',')}]\n`;
      prev = `b${i}`;
    }
    text += `servers: *${prev}\n`;
    const r = await json([put('bomb.relay.yaml', text)], dir);
    expectFinding(findingsOf(r, 'bomb.relay.yaml'), /more than 200,000 nodes/);
  });

  describe('CRLF and a BOM: the same findings at the same lines and columns', () => {
    const fixtures = ruleFixtures('invalid');
    let lf: JsonReport;
    let crlf: JsonReport;
    before(async () => {
      // The rule fixtures, and one file with a finding on line 1 (no `version`).
      const files = fixtures.map((rel) => ({
        name: rel.split(/[\\/]/).slice(2).join('__'),
        text: readFixture(rel).replace(/\r\n/g, '\n'),
      }));
      files.push({ name: 'line-one.relay.yaml', text: 'servers: []\n' });
      for (const { name: flat, text } of files) {
        put(`eol/lf/${flat}`, text);
        put(`eol/crlf/${flat}`, `\uFEFF${text.replace(/\n/g, '\r\n')}`);
      }
      lf = await json(['.'], path.join(dir, 'eol', 'lf'));
      crlf = await json(['.'], path.join(dir, 'eol', 'crlf'));
    });

    test('every finding, ignoring columns on line 1', () => {
      assert.equal(crlf.files.length, lf.files.length);
      lf.files.forEach((file, i) => {
        const twin = crlf.files[i];
        assert.equal(twin?.path, file.path);
        const strip = (f: JsonFinding): unknown => ({
          ruleId: f.ruleId,
          message: f.message,
          start: f.range.start.line === 1 ? f.range.start.line : f.range.start,
          end: f.range.end.line === 1 ? f.range.end.line : f.range.end,
        });
        assert.deepEqual(twin.findings.map(strip), file.findings.map(strip), file.path);
      });
    });

    test('columns on line 1 do not count the BOM (as editors show them)', () => {
      lf.files.forEach((file, i) => {
        assert.deepEqual(
          crlf.files[i]?.findings.map((f) => f.range),
          file.findings.map((f) => f.range),
          file.path,
        );
      });
    });
  });

  describe('unreadable, odd and vanishing files', () => {
    test(
      'links that lead nowhere, a link loop and a FIFO in a folder are skipped; the rest is linted',
      GUARD,
      async () => {
        const root = path.join(dir, 'links');
        mkdirSync(path.join(root, 'sub'), { recursive: true });
        put('links/ok.relay.yaml', 'version: 1\nservers: []\n');
        put('links/sub/deep.relay.yaml', 'version: 1\nservers: []\nx: 1\n');
        symlinkSync('.', path.join(root, 'self'));
        symlinkSync('..', path.join(root, 'sub', 'up'));
        symlinkSync('nowhere.relay.yaml', path.join(root, 'dangling.relay.yaml'));
        symlinkSync('loop.relay.yaml', path.join(root, 'loop.relay.yaml'));
        mkfifo(path.join(root, 'pipe.relay.yaml'));
        const r = await json(['.'], root);
        assert.deepEqual(
          r.files.map((f) => f.path),
          ['ok.relay.yaml', 'sub/deep.relay.yaml'],
        );
        expectFinding(findingsOf(r, 'sub/deep.relay.yaml'), /Unknown key "x"/);
      },
    );

    test('a dangling link or a link loop named on the command line: a reason, exit 2', async () => {
      const root = path.join(dir, 'links');
      const r = await cli(['dangling.relay.yaml', 'loop.relay.yaml', 'ok.relay.yaml'], root);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^relay-lint: no such file or folder: dangling\.relay\.yaml$/m);
      assert.match(r.stderr, /^relay-lint: .*loop\.relay\.yaml/m);
    });

    test(
      'a file without read permission: a reason, exit 2',
      isRoot ? { skip: 'running as root, which reads any file whatever its mode' } : {},
      async () => {
        const name = put('secret.relay.yaml', 'version: 1\nservers: []\n');
        chmodSync(path.join(dir, name), 0o000);
        try {
          const r = await cli([name], dir);
          assert.equal(r.code, 2);
          assert.match(r.stderr, /cannot read secret\.relay\.yaml: permission denied/);
        } finally {
          chmodSync(path.join(dir, name), 0o644);
        }
      },
    );

    test(
      'a folder without read permission: a reason, the other folders are linted',
      isRoot ? { skip: 'running as root, which reads any folder whatever its mode' } : {},
      async () => {
        const root = path.join(dir, 'locked');
        put('locked/open/a.relay.yaml', 'version: 1\nservers: []\n');
        put('locked/closed/b.relay.yaml', 'version: 1\nservers: []\n');
        chmodSync(path.join(root, 'closed'), 0o000);
        try {
          const r = await cli(['--format', 'json', '.'], root);
          assert.equal(r.code, 2);
          assert.match(r.stderr, /cannot read closed: permission denied/);
          assert.match(r.stdout, /open\/a\.relay\.yaml/);
        } finally {
          chmodSync(path.join(root, 'closed'), 0o755);
        }
      },
    );

    test('a file deleted after it was listed, before it was read (one thread)', async () => {
      const root = path.join(dir, 'vanish-serial');
      for (const n of ['a', 'b', 'c'])
        put(`vanish-serial/${n}.relay.yaml`, 'version: 1\nservers: []\n');
      // The run lists the folder, then reads each file; b goes away when a is read.
      const original = fs.readFileSync;
      const patched = ((file: fs.PathOrFileDescriptor, options?: unknown) => {
        if (typeof file === 'string' && file.endsWith(`${path.sep}a.relay.yaml`))
          rmSync(path.join(root, 'b.relay.yaml'), { force: true });
        return (original as (f: fs.PathOrFileDescriptor, o?: unknown) => unknown)(file, options);
      }) as typeof fs.readFileSync;
      fs.readFileSync = patched;
      let r: CliRun;
      try {
        r = await cli(['--format', 'json', '--concurrency', 'off', '.'], root);
      } finally {
        fs.readFileSync = original;
      }
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^relay-lint: cannot read b\.relay\.yaml: no such file or folder$/m);
      const report = JSON.parse(r.stdout) as JsonReport;
      assert.deepEqual(
        report.files.map((f) => f.path),
        ['a.relay.yaml', 'c.relay.yaml'],
      );
    });

    test('files deleted after they were listed, before the workers read them', GUARD, async () => {
      const root = path.join(dir, 'vanish-workers');
      const names: string[] = [];
      for (let i = 0; i < 40; i++) {
        names.push(
          put(
            `vanish-workers/f${String(i).padStart(2, '0')}.relay.yaml`,
            'version: 1\nservers: []\n',
          ),
        );
      }
      let stdout = '';
      let stderr = '';
      // run() lists the files before its first await; the workers start after it.
      const pending = run(['--format', 'json', '--concurrency', '2', '.'], {
        cwd: root,
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        isTTY: false,
      });
      const gone = names.filter((_, i) => i % 3 === 0);
      for (const n of gone) unlinkSync(path.join(dir, n));
      const code = await pending;
      // A file read before it went is linted; one that went first is named on stderr. Which is
      // which depends on how fast the pool starts; every file is one or the other.
      const report = JSON.parse(stdout) as JsonReport;
      const linted = new Set(report.files.map((f) => f.path));
      const missing = gone.filter((n) => !linted.has(path.basename(n)));
      for (const n of missing) {
        const name = path.basename(n).replace(/\./g, '\\.');
        assert.match(stderr, new RegExp(`cannot read ${name}: no such file or folder`));
      }
      assert.equal(stderr.split('\n').filter((l) => l !== '').length, missing.length, stderr);
      assert.equal(report.files.length, names.length - missing.length);
      assert.equal(code, missing.length > 0 ? 2 : 0);
    });

    test(
      'a FIFO named on the command line does not block the run',
      {
        timeout: 30_000,
      },
      async () => {
        const fifo = path.join(dir, 'named.relay.yaml');
        mkfifo(fifo);
        const child = spawn(process.execPath, [path.join(repoRoot(), 'server/dist/cli.js'), fifo], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const code = await new Promise<number | null>((resolve) => {
          const timer = setTimeout(() => {
            child.kill();
            resolve(null);
            // Generous: this guards against blocking for ever, not a speed (a busy CI machine
            // can take seconds to start node).
          }, 15_000);
          child.on('exit', (c) => {
            clearTimeout(timer);
            resolve(c);
          });
        });
        assert.equal(code, 2, 'the CLI still waited after 15 s');
        assert.match(stderr, /named\.relay\.yaml/);
      },
    );
  });
});
