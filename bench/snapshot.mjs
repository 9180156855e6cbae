// Correctness check for performance work: lints every example and test fixture (and generated
// benchmark files) with two builds of the engine and reports any difference in findings.
//
//   node bench/snapshot.mjs BASE_OUT NEW_OUT [--skip RLY016,...]
//
// BASE_OUT and NEW_OUT are `tsc -b test` output folders (`test/out` and a copy taken before the
// change). Each file is linted through `lintSource` in both; findings are compared as JSON
// (rule, span, message, severity, fixes, related, fingerprint, suppression). Exit 1 on a difference.

/* global process, console */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { generateConfig } from './generate.mjs';

const [baseOut, newOut, ...rest] = process.argv.slice(2);
if (baseOut === undefined || newOut === undefined) {
  console.error('usage: node bench/snapshot.mjs BASE_OUT NEW_OUT [--skip RLY016,...]');
  process.exit(2);
}
const skipIndex = rest.indexOf('--skip');
const skip = new Set(skipIndex >= 0 ? (rest[skipIndex + 1] ?? '').split(',') : []);

const load = async (out) => await import(path.resolve(out, 'server/src/core/lint-source.js'));
const base = await load(baseOut);
const next = await load(newOut);

function walk(dir, acc) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (name === 'out' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p, acc);
    else if (/\.(ya?ml|json)$/.test(name) && !name.endsWith('.golden')) acc.push(p);
  }
  return acc;
}

const inputs = [...walk('examples', []), ...walk('test', [])].map((p) => ({
  uri: p,
  text: readFileSync(p, 'utf8'),
}));
for (const lines of [100, 1000, 10000]) {
  inputs.push({ uri: `gen-${lines}.relay.yaml`, text: generateConfig(lines, lines) });
}

function canon(findings) {
  return findings
    .filter((f) => !skip.has(f.ruleId))
    .map((f) => JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

let differences = 0;
let total = 0;
for (const input of inputs) {
  let a;
  let b;
  try {
    a = canon(base.lintSource(input).findings);
  } catch (e) {
    a = [`THREW ${String(e)}`];
  }
  try {
    b = canon(next.lintSource(input).findings);
  } catch (e) {
    b = [`THREW ${String(e)}`];
  }
  total += a.length;
  const sa = new Set(a);
  const sb = new Set(b);
  const onlyA = a.filter((x) => !sb.has(x));
  const onlyB = b.filter((x) => !sa.has(x));
  if (onlyA.length > 0 || onlyB.length > 0 || a.length !== b.length || a.join() !== b.join()) {
    differences++;
    console.log(`DIFF ${input.uri}: ${a.length} → ${b.length} findings`);
    for (const x of onlyA.slice(0, 3)) console.log(`  - ${x.slice(0, 400)}`);
    for (const x of onlyB.slice(0, 3)) console.log(`  + ${x.slice(0, 400)}`);
  }
}
console.log(`${inputs.length} files, ${total} findings, ${differences} files differ`);
process.exit(differences > 0 ? 1 : 0);
