/**
 * The differential test against a real Postfix (SPEC §7.5, issue 12 item 6).
 *
 *   node test/out/test/oracle/run.js        (after `npx tsc -b test`; `npm run test:oracle`)
 *
 * Environment:
 *   ORACLE_SEED=N          generator seed (default 20261204); printed either way
 *   ORACLE_CASES=N         generated configurations (default 300, split between the runners)
 *   ORACLE_NETNS=0         do not use a network namespace even where one can be made
 *   ORACLE_RECORD=1        (re)write test/formats/postfix/oracle-fixtures/ from this run: the
 *                          POSTFIX-ORACLE §4 rows and every disagreement
 *   ORACLE_REPORT=FILE     append every disagreement, as Markdown, to FILE
 *
 * Ends with the line `N passed, M failed`; exit 1 when M > 0, 2 when it could not run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { explainPostfix } from '../../server/src/core/formats/postfix/explain.js';
import { askLinter, judge, listenerFor, questionOf, type ExplainFn } from './compare.js';
import { fixedCases } from './fixed-cases.js';
import { generateCases, LOOPBACK_PROFILE, NETNS_PROFILE } from './generator.js';
import { postfixInstalled } from './instance.js';
import { Netns } from './netns.js';
import { writeFixtures, type FixtureCandidate } from './record.js';
import type { CaseResult, CaseSpec, RunnerKind, WorkerHeader, WorkerJob } from './types.js';

const DEFAULT_SEED = 20261204;
const DEFAULT_CASES = 300;

function out(line = ''): void {
  process.stdout.write(line + '\n');
}

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${v}`);
  return n;
}

interface RunnerRun {
  readonly kind: RunnerKind;
  readonly child: ChildProcess;
  readonly resultPath: string;
  readonly done: Promise<number>;
  stderr: string;
}

function startWorker(
  kind: RunnerKind,
  cases: readonly CaseSpec[],
  dir: string,
  netns: Netns | undefined,
): RunnerRun {
  const job: WorkerJob = { runner: kind, cases };
  const jobPath = path.join(dir, `${kind}-job.json`);
  const resultPath = path.join(dir, `${kind}-result.jsonl`);
  fs.writeFileSync(jobPath, JSON.stringify(job));
  const worker = path.join(__dirname, 'worker.js');
  const args = [worker, jobPath, resultPath];
  const child = netns
    ? spawn('ip', ['netns', 'exec', netns.name, process.execPath, ...args], {
        stdio: ['pipe', 'inherit', 'pipe'],
      })
    : spawn(process.execPath, args, { stdio: ['pipe', 'inherit', 'pipe'] });
  const run: RunnerRun = {
    kind,
    child,
    resultPath,
    stderr: '',
    done: new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve(code ?? (signal ? 128 : 1));
      });
      child.once('error', () => {
        resolve(127);
      });
    }),
  };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    run.stderr += s;
  });
  return run;
}

function readResults(run: RunnerRun): { header?: WorkerHeader; results: CaseResult[] } {
  if (!fs.existsSync(run.resultPath)) return { results: [] };
  const lines = fs.readFileSync(run.resultPath, 'utf8').split('\n').filter(Boolean);
  const results: CaseResult[] = [];
  let header: WorkerHeader | undefined;
  for (const l of lines) {
    const v = JSON.parse(l) as WorkerHeader | CaseResult;
    if ('kind' in v) header = v;
    else results.push(v);
  }
  return header ? { header, results } : { results };
}

function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

function casePart(mainCf: string): string {
  const i = mainCf.indexOf('# ---- case under test ----');
  return (i >= 0 ? mainCf.slice(i + '# ---- case under test ----\n'.length) : mainCf).trimEnd();
}

async function main(): Promise<number> {
  const seed = envInt('ORACLE_SEED', DEFAULT_SEED);
  const total = envInt('ORACLE_CASES', DEFAULT_CASES);
  out(
    `postfix-oracle: seed ${seed} (ORACLE_SEED=${seed} reproduces this run), ${total} generated configurations`,
  );
  if (!postfixInstalled()) {
    out('postfix-oracle: Postfix is not installed (scripts/install-postfix.sh installs it)');
    out('0 passed, 1 failed');
    return 2;
  }
  if (process.getuid?.() !== 0) {
    out('postfix-oracle: must run as root (Postfix drops privileges to `postfix`)');
    out('0 passed, 1 failed');
    return 2;
  }
  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postfix-oracle-run-'));
  let netns: Netns | undefined;
  const runs: RunnerRun[] = [];
  const cleanup = (): void => {
    for (const r of runs) {
      if (r.child.exitCode === null && r.child.pid !== undefined) {
        try {
          process.kill(r.child.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
    }
    netns?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupted = true;
    out(`postfix-oracle: ${sig}; stopping workers`);
    cleanup();
    // Give the workers a moment to stop their masters, then go.
    setTimeout(() => process.exit(130), 1500);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (process.env['ORACLE_NETNS'] !== '0') {
      const stale = Netns.removeStale();
      if (stale.length)
        out(`postfix-oracle: removed namespaces of killed runs: ${stale.join(' ')}`);
      const ns = Netns.create(`pfo-${process.pid}`);
      if (typeof ns === 'string') out(`postfix-oracle: no namespace runner: ${ns}`);
      else netns = ns;
    } else {
      out('postfix-oracle: namespace runner disabled (ORACLE_NETNS=0)');
    }
    const fixed = fixedCases();
    // The two runners work in parallel: give them the same number of configurations.
    const loopFixed = fixed.filter((c) => c.runner === 'loopback').length;
    const nsFixed = fixed.length - loopFixed;
    const nsShare = netns
      ? Math.max(0, Math.min(total, Math.round((total + loopFixed - nsFixed) / 2)))
      : 0;
    const loopCases = [
      ...fixed.filter((c) => c.runner === 'loopback'),
      ...generateCases(LOOPBACK_PROFILE, seed, total - nsShare),
    ];
    const nsCases = netns
      ? [
          ...fixed.filter((c) => c.runner === 'netns'),
          ...generateCases(NETNS_PROFILE, seed, nsShare),
        ]
      : [];
    runs.push(startWorker('loopback', loopCases, dir, undefined));
    if (netns && nsCases.length > 0) runs.push(startWorker('netns', nsCases, dir, netns));
    const codes = await Promise.all(runs.map((r) => r.done));
    if (interrupted) {
      out('postfix-oracle: interrupted; nothing compared');
      return 130;
    }

    const explain: ExplainFn = explainPostfix;
    let passed = 0;
    let failed = 0;
    let viaUnknown = 0;
    let skipped = 0;
    let configs = 0;
    let linterMs = 0;
    const replyNotes = new Map<string, { count: number; example: string }>();
    const report: string[] = [];
    const candidates: FixtureCandidate[] = [];
    const specs = new Map([...loopCases, ...nsCases].map((c) => [`${c.runner}/${c.id}`, c]));
    let version = '?';
    for (const [i, run] of runs.entries()) {
      const { header, results } = readResults(run);
      if (header) {
        version = header.mailVersion;
        out(
          `postfix-oracle: ${run.kind} runner: Postfix ${header.mailVersion}, port ${header.port}, ` +
            `interfaces ${header.hostAddresses.join(' ')}`,
        );
        out(`  mynetworks_style host → ${header.hostStyle}`);
        out(`  mynetworks_style subnet → ${header.subnetStyle}`);
      }
      const expected = run.kind === 'netns' ? nsCases.length : loopCases.length;
      if (results.length > 0) {
        const secs = results.map((r) => r.seconds).sort((a, b) => a - b);
        const sum = secs.reduce((a, b) => a + b, 0);
        const phase = (k: 'start' | 'probes' | 'stop'): string =>
          results.reduce((a, r) => a + r.phases[k], 0).toFixed(1);
        out(
          `  ${results.length} configurations in ${sum.toFixed(1)} s (median ${(secs[secs.length >> 1] ?? 0).toFixed(2)} s, max ${(secs[secs.length - 1] ?? 0).toFixed(2)} s per configuration; start ${phase('start')} s, probes ${phase('probes')} s, stop ${phase('stop')} s)`,
        );
      }
      if (codes[i] !== 0 || results.length !== expected) {
        out(
          `postfix-oracle: ${run.kind} worker exit ${codes[i]}, ${results.length}/${expected} configurations answered`,
        );
        failed += expected - results.length;
      }
      if (run.stderr) out(indent(run.stderr.trimEnd()));
      for (const r of results) {
        configs++;
        const spec = specs.get(`${r.runner}/${r.caseId}`);
        const failures: string[] = [];
        for (const p of r.probes) {
          if (p.skipped !== undefined) {
            skipped++;
            continue;
          }
          const tl = performance.now();
          const lin = askLinter(explain, r, p);
          linterMs += performance.now() - tl;
          const v = judge(p.real, p.reply, lin, r.mainCf);
          const documented = spec?.documented?.[p.probe.id];
          if (documented !== undefined && documented !== p.real) {
            out(
              `postfix-oracle: NOTE ${r.caseId} ${p.probe.id}: ${spec?.origin ?? 'POSTFIX-ORACLE §4'} recorded ${documented}, this Postfix answered ${p.real} (${p.reply})`,
            );
          }
          if (v.replyNote) {
            const seen = replyNotes.get(v.replyNote);
            if (seen) seen.count++;
            else {
              replyNotes.set(v.replyNote, {
                count: 1,
                example: `${r.runner} ${r.caseId} ${p.probe.id} (${p.reply.split('\n')[0] ?? ''})`,
              });
            }
          }
          if (v.viaUnknown) viaUnknown++;
          if (spec?.documented) candidates.push({ kind: 'documented', result: r, probe: p, spec });
          if (v.agree) {
            passed++;
            continue;
          }
          failed++;
          if (!spec?.documented) {
            candidates.push({ kind: 'disagreement', result: r, probe: p, spec, seed });
          }
          const q = questionOf(r, p);
          failures.push(
            [
              `  question ${p.probe.id}: client ${q.client} → ${q.to}, from ${q.from}, auth ${p.probe.auth}` +
                ` (listener ${listenerFor(r, p.probe.client)})`,
              `    real Postfix: ${p.real}: ${p.reply.replace(/\n/g, ' | ')}`,
              `    relay-lint:   ${lin.outcome}${lin.reply ? ` (${lin.reply})` : ''}: ${lin.reason}`,
              ...(lin.trace.length ? [`    trace: ${lin.trace.join('; ')}`] : []),
            ].join('\n'),
          );
        }
        if (failures.length > 0) {
          const tables = Object.entries(r.files)
            .map(([p, c]) => `  ${p}:\n${indent(c.trimEnd(), '    | ')}`)
            .join('\n');
          const text = [
            `DISAGREEMENT seed ${seed}, ${r.runner} case ${r.caseId}${spec && spec.title !== 'gen' ? ` (${spec.title})` : ''}`,
            '  main.cf (after the harness header):',
            indent(casePart(r.mainCf), '    | '),
            ...(tables ? [tables] : []),
            ...(r.log.length ? ['  maillog:', indent(r.log.join('\n'), '    | ')] : []),
            ...failures,
          ].join('\n');
          out(text);
          report.push(text);
        }
      }
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    out(
      `postfix-oracle: Postfix ${version}, seed ${seed}: ${configs} configurations, ${passed + failed} questions` +
        ` (${skipped} not askable here), ${viaUnknown} agreed through a named unknown, ${secs} s`,
    );
    out(`postfix-oracle: relay-lint answered in ${(linterMs / 1000).toFixed(1)} s in all`);
    for (const [note, n] of replyNotes) {
      out(`postfix-oracle: same class, different reply: ${note} ×${n.count}, e.g. ${n.example}`);
    }
    if (process.env['ORACLE_RECORD'] === '1') {
      const n = await writeFixtures(candidates, version);
      out(`postfix-oracle: recorded ${n} fixture files`);
    }
    const reportFile = process.env['ORACLE_REPORT'];
    if (reportFile && report.length > 0) {
      fs.appendFileSync(
        reportFile,
        `\n## ${new Date().toISOString()} — seed ${seed}: ${failed} failed\n\n` +
          report.map((r) => '```\n' + r + '\n```\n').join('\n'),
      );
    }
    out(`${passed} passed, ${failed} failed`);
    return failed > 0 ? 1 : 0;
  } finally {
    cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    out(`postfix-oracle: error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    out('0 passed, 1 failed');
    process.exit(2);
  },
);
