// CLI scale benchmark (issue 5): lints N generated relay configurations with the bundled CLI,
// on one thread (--concurrency off) and on one thread per CPU (--concurrency <cpus>), and checks
// that both give the same JSON. Needs `npm run build` first. The load average is printed: on a
// machine that other jobs keep busy, threads share the same cores and do not pay (which is why
// --concurrency auto then stays on one thread).
//
//   node bench/scale.mjs [FILES=10000] [RUNS=3]

/* global process, console, performance */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'server', 'dist', 'cli.js');
const files = Number(process.argv[2] ?? 10000);
const runs = Number(process.argv[3] ?? 3);

/** A relay configuration of about 20 lines; `i` varies which rules fire. */
function config(i) {
  const list =
    i % 7 === 0
      ? ['10.0.0.0/8', '10.1.2.3', '81.2.0.0/16']
      : [`192.168.${i % 256}.25`, `10.${i % 250}.0.0/24`];
  return [
    'version: 1',
    'servers:',
    `  - name: SMTP-${i}`,
    '    product: iis-smtp',
    '    listeners:',
    '      - name: Default SMTP Virtual Server',
    '        bindings: ["0.0.0.0:25"]',
    '        authentication:',
    `          anonymous: ${i % 3 === 0}`,
    `          basic: ${i % 4 === 0}`,
    '          integratedWindows: true',
    '        relay:',
    `          mode: ${i % 5 === 0 ? 'allExcept' : 'onlyList'}`,
    '          list:',
    ...list.map((a) => `            - ${a}`),
    `          allowAuthenticated: ${i % 11 === 0}`,
    '',
  ].join('\n');
}

const dir = mkdtempSync(path.join(tmpdir(), 'relay-lint-scale-'));
try {
  for (let i = 0; i < files; i++) {
    const sub = path.join(dir, `site-${i % 100}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `relay-${i}.relay.yaml`), config(i));
  }
  const time = (concurrency) => {
    const start = performance.now();
    const r = spawnSync(
      process.execPath,
      [cli, '--format', 'json', '--fail-on', 'never', '--concurrency', concurrency, '.'],
      {
        cwd: dir,
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      },
    );
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`relay-lint exited ${r.status}: ${r.stderr}`);
    return { ms, out: r.stdout };
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const result = {};
  let reference;
  const threads = String(availableParallelism());
  for (const c of ['off', threads]) {
    const times = [];
    for (let k = 0; k < runs; k++) {
      const { ms, out } = time(c);
      times.push(ms);
      reference ??= out;
      if (out !== reference) throw new Error(`--concurrency ${c} changed the output`);
    }
    result[c] = Math.round(median(times));
  }
  console.log(
    JSON.stringify({
      files,
      runs,
      cpus: availableParallelism(),
      loadavg: loadavg().map((x) => Math.round(x * 10) / 10),
      serialMs: result.off,
      parallelMs: result[threads],
      speedup: Math.round((result.off / result[threads]) * 100) / 100,
      identicalOutput: true,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
