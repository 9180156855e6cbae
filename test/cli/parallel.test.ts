import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PARALLEL_THRESHOLD, workerCount } from '../../server/src/host/pool.js';
import { createProgress } from '../../server/src/cli/progress.js';
import { generateCorpus } from '../support/relay-corpus.js';
import { runCli } from './helpers.js';

describe('parallel linting', () => {
  let dir = '';
  const FILES = 200;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'relay-lint-par-'));
    generateCorpus(dir, FILES);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('worker threads give the same JSON, in the same order, as one thread', async () => {
    // SARIF, Markdown and text are pure functions of the same results, so JSON is enough here.
    const serial = await runCli(['--format', 'json', '--concurrency', 'off', '.'], { cwd: dir });
    const parallel = await runCli(['--format', 'json', '--concurrency', '2', '.'], { cwd: dir });
    assert.equal(parallel.code, serial.code);
    assert.equal(parallel.stderr, serial.stderr);
    assert.equal(parallel.stdout, serial.stdout);
    const report = JSON.parse(serial.stdout) as { files: unknown[] };
    assert.equal(report.files.length, FILES + 1);
  });

  test('--fix on worker threads writes the same files as on one thread', async () => {
    const a = path.join(dir, '..', `${path.basename(dir)}-a`);
    const b = path.join(dir, '..', `${path.basename(dir)}-b`);
    try {
      // One site (23 files, one broken) is enough to exercise fixes on both threads.
      for (const site of ['site-0']) {
        cpSync(path.join(dir, site), path.join(a, site), { recursive: true });
        cpSync(path.join(dir, site), path.join(b, site), { recursive: true });
      }
      const serial = await runCli(['--fix', '--concurrency', 'off', '.'], { cwd: a });
      const parallel = await runCli(['--fix', '--concurrency', '2', '.'], { cwd: b });
      assert.equal(parallel.stdout, serial.stdout);
      assert.equal(parallel.stderr, serial.stderr);
      for (const sub of readdirSync(a)) {
        for (const name of readdirSync(path.join(a, sub))) {
          assert.equal(
            readFileSync(path.join(b, sub, name), 'utf8'),
            readFileSync(path.join(a, sub, name), 'utf8'),
            `${sub}/${name}`,
          );
        }
      }
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  test('auto uses workers only for large runs on more than one CPU', () => {
    assert.equal(workerCount('auto', PARALLEL_THRESHOLD - 1), 0);
    // From the threshold on it depends on idle CPUs (the load average), never more than there are.
    assert.ok(workerCount('auto', PARALLEL_THRESHOLD) <= availableParallelism());
    assert.equal(workerCount('off', 10_000), 0);
    assert.equal(workerCount(1, 10_000), 0);
    assert.equal(workerCount(3, 2), 2);
  });
});

describe('progress line', () => {
  function fake(enabled: boolean): {
    progress: ReturnType<typeof createProgress>;
    tick: (ms: number) => void;
    out: string[];
  } {
    let t = 0;
    const out: string[] = [];
    const progress = createProgress({
      total: 10_000,
      enabled,
      write: (s) => out.push(s),
      now: () => t,
    });
    return { progress, tick: (ms) => (t += ms), out };
  }

  test('appears after a second, at most every 100 ms, and is erased at the end', () => {
    const { progress, tick, out } = fake(true);
    progress.update(10);
    tick(500);
    progress.update(500);
    assert.deepEqual(out, []);
    tick(600);
    progress.update(2_500);
    progress.update(2_501);
    assert.deepEqual(out, ['\r\u001b[Krelay-lint: 2,500/10,000 files (25%)']);
    tick(150);
    progress.update(5_000);
    progress.clear();
    assert.equal(out.length, 3);
    assert.equal(out[2], '\r\u001b[K');
  });

  test('never shows when stderr is not a terminal, and a quick run leaves nothing', () => {
    const off = fake(false);
    off.tick(5_000);
    off.progress.update(1);
    off.progress.clear();
    assert.deepEqual(off.out, []);
    const quick = fake(true);
    quick.progress.update(1);
    quick.progress.clear();
    assert.deepEqual(quick.out, []);
  });
});
