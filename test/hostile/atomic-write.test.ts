import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
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
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  pendingTmpFiles,
  stampOf,
  writeFileAtomic,
  WriteError,
} from '../../server/src/host/atomic-write.js';
import { repoRoot } from '../support/repo-root.js';

// Issue 11, defects 1-4, 8, 10, 11: what --fix's write does on a full disk, a short write, a
// symbolic link, a file of another owner, a read-only file or folder, a file edited meanwhile,
// and a signal in the middle.

const isRoot = process.getuid?.() === 0;
let dir = '';
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'relay-lint-atomic-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function fresh(content: string): string {
  const file = path.join(dir, `f${++n}.relay.yaml`);
  writeFileSync(file, content);
  return file;
}

/** Temporary files the writes left in `folder`. */
function leftovers(folder: string): string[] {
  return readdirSync(folder).filter((f) => f.endsWith('.tmp'));
}

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

/** Mounts a 1 MB tmpfs where the machine allows it (root on Linux); undefined elsewhere. */
function smallTmpfs(): string | undefined {
  if (!isRoot || process.platform !== 'linux') return undefined;
  const mount = mkdtempSync(path.join(tmpdir(), 'relay-lint-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount], { stdio: 'ignore' });
    return mount;
  } catch {
    rmSync(mount, { recursive: true, force: true });
    return undefined;
  }
}

function unmount(mount: string): void {
  execFileSync('umount', [mount], { stdio: 'ignore' });
  rmSync(mount, { recursive: true, force: true });
}

describe('atomic write (issue 11: --fix never loses data)', () => {
  test('writes every byte even when each write call takes one byte', () => {
    const file = fresh('old\n');
    const text = `${'x'.repeat(5000)}é\n`;
    writeFileAtomic(file, text, {
      ops: { writeSync: (fd, buffer, offset) => writeSync(fd, buffer, offset, 1) },
    });
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.deepEqual(leftovers(dir), []);
  });

  test('a full disk: WriteError, the original untouched, no temporary file (1 MB tmpfs, or an injected ENOSPC)', () => {
    const mount = smallTmpfs();
    const folder = mount ?? dir;
    const original = `version: 1\nservers:\n${'  # entry\n'.repeat(60_000)}`; // 600 KB
    const file = path.join(folder, 'big.relay.yaml');
    writeFileSync(file, original);
    const fixed = original.replace(/# entry/g, '# entry, fixed'); // 960 KB: does not fit
    let written = 0;
    const ops =
      mount !== undefined
        ? undefined
        : {
            writeSync: (fd: number, buffer: Buffer, offset: number, length: number): number => {
              if (written > 400_000) throw enospc();
              const k = writeSync(fd, buffer, offset, Math.min(length, 65_536));
              written += k;
              return k;
            },
          };
    try {
      assert.throws(
        () => {
          writeFileAtomic(file, fixed, ops !== undefined ? { ops } : {});
        },
        (e: unknown) => e instanceof WriteError && /no space left on device/.test(e.message),
      );
      assert.equal(readFileSync(file, 'utf8'), original, 'the original is kept, byte for byte');
      assert.deepEqual(leftovers(folder), []);
      assert.deepEqual(pendingTmpFiles(), []);
    } finally {
      if (mount !== undefined) unmount(mount);
    }
  });

  test('a write call that writes nothing is a failure, not a truncated file', () => {
    const file = fresh('version: 1\n');
    assert.throws(
      () => {
        writeFileAtomic(file, 'version: 1\nservers: []\n', { ops: { writeSync: () => 0 } });
      },
      (e: unknown) => e instanceof WriteError && /short write/.test(e.message),
    );
    assert.equal(readFileSync(file, 'utf8'), 'version: 1\n');
    assert.deepEqual(leftovers(dir), []);
  });

  test('a symbolic link is written through: the link stays, its target gets the text', () => {
    const target = fresh('old\n');
    const link = path.join(dir, 'link.relay.yaml');
    symlinkSync(target, link);
    writeFileAtomic(link, 'new\n');
    assert.ok(lstatSync(link).isSymbolicLink(), 'still a link');
    assert.equal(readFileSync(target, 'utf8'), 'new\n');
  });

  test('mode, owner and group are kept', () => {
    const file = fresh('old\n');
    chmodSync(file, 0o640);
    // As root the test can give the file another owner; otherwise it checks the user's own.
    const owner = isRoot
      ? { uid: 4321, gid: 8765 }
      : { uid: statSync(file).uid, gid: statSync(file).gid };
    if (isRoot) chownSync(file, owner.uid, owner.gid);
    writeFileAtomic(file, 'new\n');
    const st = statSync(file);
    assert.equal(readFileSync(file, 'utf8'), 'new\n');
    assert.equal(st.mode & 0o777, 0o640);
    assert.deepEqual({ uid: st.uid, gid: st.gid }, owner);
  });

  test('a read-only (444) file is not rewritten, even in a writable folder', () => {
    const file = fresh('old\n');
    chmodSync(file, 0o444);
    assert.throws(
      () => {
        writeFileAtomic(file, 'new\n');
      },
      (e: unknown) => e instanceof WriteError && /read-only/.test(e.message),
    );
    assert.equal(readFileSync(file, 'utf8'), 'old\n');
  });

  test('a read-only folder (a read-only mount as root, else mode 555): WriteError, nothing left', () => {
    const folder = path.join(dir, `ro${++n}`);
    mkdirSync(folder);
    const file = path.join(folder, 'a.relay.yaml');
    writeFileSync(file, 'old\n');
    let mounted = false;
    if (isRoot) {
      execFileSync('mount', ['--bind', folder, folder]);
      execFileSync('mount', ['-o', 'remount,bind,ro', folder]);
      mounted = true;
    } else chmodSync(folder, 0o555);
    try {
      assert.throws(
        () => {
          writeFileAtomic(file, 'new\n');
        },
        (e: unknown) => e instanceof WriteError && /read-only|permission denied/.test(e.message),
      );
      assert.equal(readFileSync(file, 'utf8'), 'old\n');
      assert.deepEqual(leftovers(folder), []);
    } finally {
      if (mounted) execFileSync('umount', [folder]);
      else chmodSync(folder, 0o755);
    }
  });

  test('a file edited after it was read is not overwritten', () => {
    const file = fresh('version: 1\n');
    const stamp = stampOf(file);
    writeFileSync(file, 'version: 1\n# the user typed this meanwhile\n');
    assert.throws(
      () => {
        writeFileAtomic(file, 'version: 1\nservers: []\n', { expect: stamp });
      },
      (e: unknown) => e instanceof WriteError && /changed on disk/.test(e.message),
    );
    assert.equal(readFileSync(file, 'utf8'), 'version: 1\n# the user typed this meanwhile\n');
  });

  test('SIGINT while a worker thread is writing: the temporary file is removed, exit 130', async () => {
    const folder = path.join(dir, `signal${++n}`);
    mkdirSync(folder);
    const file = path.join(folder, 'a.relay.yaml');
    writeFileSync(file, 'old\n');
    const module = path.join(repoRoot(), 'test', 'out', 'server', 'src', 'host', 'atomic-write.js');
    // The worker writes one byte every 20 ms: it is still writing when the signal comes.
    const worker = `
      const { writeSync } = require('node:fs');
      const { writeFileAtomic } = require(${JSON.stringify(module)});
      const sleep = new Int32Array(new SharedArrayBuffer(4));
      try {
        writeFileAtomic(${JSON.stringify(file)}, 'x'.repeat(1000), { ops: { writeSync: (fd, b, o) => {
          Atomics.wait(sleep, 0, 0, 20);
          return writeSync(fd, b, o, 1);
        } } });
      } catch {}
    `;
    const main = `
      const { readdirSync } = require('node:fs');
      const { Worker } = require('node:worker_threads');
      const { cleanTmpFilesOnSignals } = require(${JSON.stringify(module)});
      cleanTmpFilesOnSignals();
      new Worker(${JSON.stringify(worker)}, { eval: true });
      const poll = setInterval(() => {
        if (readdirSync(${JSON.stringify(folder)}).some((f) => f.endsWith('.tmp'))) {
          clearInterval(poll);
          process.stdout.write('writing\\n');
        }
      }, 5);
    `;
    const child = spawn(process.execPath, ['-e', main], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', () => {
        resolve();
      });
    });
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.deepEqual(leftovers(folder), []);
    assert.equal(readFileSync(file, 'utf8'), 'old\n');
  });
});
