import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from './helpers.js';

// Issue 11, defects 1-4 and 10 through `relay-lint --fix` (needs host/lint-task.ts to catch
// WriteError per file: see the hardening report).

const isRoot = process.getuid?.() === 0;
const DUPLICATES = `version: 1
servers:
  - name: EDGE
    product: iis-smtp
    listeners:
      - name: Default SMTP Virtual Server
        authentication:
          anonymous: false
          integratedWindows: true
        relay:
          mode: onlyList
          list:
            - 10.0.0.1
            - 10.0.0.1
`;
const FIXED = DUPLICATES.replace(
  '            - 10.0.0.1\n            - 10.0.0.1\n',
  '            - 10.0.0.1\n',
);

let root = '';
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'relay-lint-fix-writes-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function tmpLeft(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));
}

describe('--fix writes (issue 11 #1-4, #10)', () => {
  test('a file that cannot be written: "cannot write X", the others fixed, the report written, exit 2', async () => {
    const cwd = path.join(root, 'ro-case');
    for (const d of ['a', 'ro', 'c']) mkdirSync(path.join(cwd, d), { recursive: true });
    for (const d of ['a', 'ro', 'c']) writeFileSync(path.join(cwd, d, 'x.relay.yaml'), DUPLICATES);
    const ro = path.join(cwd, 'ro');
    if (isRoot) {
      execFileSync('mount', ['--bind', ro, ro]);
      execFileSync('mount', ['-o', 'remount,bind,ro', ro]);
    } else chmodSync(ro, 0o555);
    try {
      const r = await runCli(['--fix', '--concurrency', 'off', '--format', 'json', '.'], { cwd });
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /cannot write ro\/x\.relay\.yaml: (it is read-only|read-only file system|permission denied)/,
      );
      assert.ok(r.stdout.startsWith('{'), 'the report is written');
      assert.equal(readFileSync(path.join(cwd, 'a', 'x.relay.yaml'), 'utf8'), FIXED);
      assert.equal(readFileSync(path.join(cwd, 'c', 'x.relay.yaml'), 'utf8'), FIXED);
      assert.equal(readFileSync(path.join(ro, 'x.relay.yaml'), 'utf8'), DUPLICATES);
    } finally {
      if (isRoot) execFileSync('umount', [ro]);
      else chmodSync(ro, 0o755);
    }
  });

  test('a read-only (444) file is skipped with a message, exit 2', async () => {
    const cwd = path.join(root, 'ro-file');
    mkdirSync(cwd, { recursive: true });
    const file = path.join(cwd, 'x.relay.yaml');
    writeFileSync(file, DUPLICATES);
    chmodSync(file, 0o444);
    const r = await runCli(['--fix', 'x.relay.yaml'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot write x\.relay\.yaml: it is read-only; not changed/);
    assert.equal(readFileSync(file, 'utf8'), DUPLICATES);
  });

  test('a full disk (1 MB tmpfs): the file is kept whole, exit 2', async () => {
    const mount = mkdtempSync(path.join(tmpdir(), 'relay-lint-full-'));
    let mounted = false;
    try {
      if (isRoot) {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
        mounted = true;
      }
      // 20,001 entries, every 50th repeating the one before it: 400 safe fixes.
      const entries = Array.from({ length: 20_001 }, (_, i) => {
        const k = i % 50 === 49 ? i - 1 : i;
        return `            - 10.${(k >> 8) & 255}.${k & 255}.1\n`;
      }).join('');
      // A 250 KB comment block makes the file 730 KB: the fixed copy does not fit beside it.
      const text = `${'# padding of the comment block\n'.repeat(8000)}${DUPLICATES.replace('            - 10.0.0.1\n            - 10.0.0.1\n', entries)}`;
      writeFileSync(path.join(mount, 'big.relay.yaml'), text);
      const r = await runCli(['--fix', 'big.relay.yaml'], { cwd: mount });
      if (mounted) {
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /cannot write big\.relay\.yaml: no space left on device/);
        assert.equal(readFileSync(path.join(mount, 'big.relay.yaml'), 'utf8'), text);
        assert.deepEqual(tmpLeft(mount), []);
      } else {
        // Not root: no tmpfs; the same file is fixed on the ordinary disk.
        assert.equal(r.code, 0, r.stderr);
        assert.notEqual(readFileSync(path.join(mount, 'big.relay.yaml'), 'utf8'), text);
      }
    } finally {
      if (mounted) execFileSync('umount', [mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });

  test('a symbolic link is fixed through, and stays a link; owner and group are kept', async () => {
    const cwd = path.join(root, 'link');
    mkdirSync(path.join(cwd, 'real'), { recursive: true });
    const target = path.join(cwd, 'real', 'x.relay.yaml');
    writeFileSync(target, DUPLICATES);
    if (isRoot) chownSync(target, 4321, 8765);
    const owner = { uid: statSync(target).uid, gid: statSync(target).gid };
    symlinkSync(path.join('real', 'x.relay.yaml'), path.join(cwd, 'x.relay.yaml'));
    const r = await runCli(['--fix', 'x.relay.yaml'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(path.join(cwd, 'x.relay.yaml')).isSymbolicLink());
    assert.equal(readFileSync(target, 'utf8'), FIXED);
    const st = statSync(target);
    assert.deepEqual({ uid: st.uid, gid: st.gid }, owner);
  });
});
