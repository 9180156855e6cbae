/**
 * Runs a list of cases against one private Postfix instance and writes one JSON line per case
 * (after a header line) to the result file. Usage: `node worker.js JOB.json RESULT.jsonl`.
 * Started by run.ts, either directly (loopback) or with `ip netns exec NS` (namespace).
 * It stops its master and removes its folder on every way out: normal end, error, SIGTERM,
 * SIGINT, or its parent going away (stdin closes).
 */
import fs from 'node:fs';
import { PostfixInstance, StaleServer } from './instance.js';
import type { WorkerHeader, WorkerJob } from './types.js';

async function main(): Promise<number> {
  const [jobPath, resultPath] = process.argv.slice(2);
  if (!jobPath || !resultPath) {
    process.stderr.write('usage: worker.js JOB.json RESULT.jsonl\n');
    return 2;
  }
  const job = JSON.parse(fs.readFileSync(jobPath, 'utf8')) as WorkerJob;
  const inst = await PostfixInstance.create(job.runner);
  let finished = false;
  const bail = (why: string): void => {
    if (finished) return;
    finished = true;
    process.stderr.write(`oracle worker (${job.runner}): ${why}; stopping Postfix\n`);
    inst.destroy();
    process.exit(3);
  };
  process.once('SIGTERM', () => {
    bail('SIGTERM');
  });
  process.once('SIGINT', () => {
    bail('SIGINT');
  });
  process.stdin.on('end', () => {
    bail('parent went away');
  });
  process.stdin.resume();
  try {
    const d = inst.describe();
    const header: WorkerHeader = {
      kind: 'header',
      mailVersion: d.mailVersion,
      hostAddresses: inst.hostAddresses,
      port: inst.port,
      hostStyle: d.hostStyle,
      subnetStyle: d.subnetStyle,
    };
    fs.writeFileSync(resultPath, JSON.stringify(header) + '\n');
    for (const spec of job.cases) {
      let result;
      try {
        result = await inst.runCase(spec);
      } catch (e) {
        if (!(e instanceof StaleServer)) throw e;
        process.stderr.write(`oracle worker: ${e.message}; running it again\n`);
        result = await inst.runCase(spec);
      }
      // A question without a classifiable answer (a timeout on a machine stalled by other
      // work) gets one more try with a fresh master; a second failure is reported as it is.
      const unclear = result.probes.filter((p) => p.real === 'other' && p.skipped === undefined);
      if (unclear.length > 0) {
        process.stderr.write(
          `oracle worker: case ${spec.id}: ${unclear.length} unclear answer(s) (${unclear[0]?.reply ?? ''}); running it again\n`,
        );
        result = await inst.runCase(spec);
      }
      fs.appendFileSync(resultPath, JSON.stringify(result) + '\n');
    }
    return 0;
  } finally {
    finished = true;
    await inst.stop();
    inst.destroy();
    process.stdin.pause();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`oracle worker failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
