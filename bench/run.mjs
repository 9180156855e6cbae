// npm run bench: Relay Lint's language server and CLI against yaml-language-server and the floor
// (yaml parse + ajv validation alone), on generated relay configurations. Prints medians and ratios
// and writes bench/RESULTS.md. A benchmark, not a test: it never fails on speed.
//
// Environment: BENCH_QUICK=1 runs fewer rounds and smaller sizes (a smoke test of the harness);
// BENCH_NATIVE_ONLY=1 measures only the CLI start-up and the native-format rows.

/* global process, console, performance, setTimeout */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { format } from 'prettier';
import { parseAllDocuments } from 'yaml';
import { editSite, generateConfig } from './generate.mjs';
import { exchangeExport, metabase, postfixMain, postfixMaster } from './generate-native.mjs';
import { LspClient } from './lsp-client.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench', 'out');
const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = QUICK ? [100, 1000] : [100, 1000, 10_000, 50_000];
/** Rounds per size: [opens, edits]. Small files are cheap, so they get more rounds. */
const ROUNDS = QUICK
  ? { 100: [3, 5], 1000: [3, 5] }
  : { 100: [9, 21], 1000: [7, 15], 10_000: [5, 7], 50_000: [3, 3] };
const CLI_FILES = QUICK ? 500 : 10_000;
const CLI_ROUNDS = QUICK ? 1 : 3;
const CYCLES = QUICK ? 100 : 1000;
const WARMUP_CYCLES = QUICK ? 50 : 300;
const SCHEMA_FILE = path.join(ROOT, 'schemas', 'relay-config.schema.json');
const SCHEMA_URI = pathToFileURL(SCHEMA_FILE).href;
const SERVER = path.join(ROOT, 'server', 'dist', 'server.js');
const CLI = path.join(ROOT, 'server', 'dist', 'cli.js');
const YAML_LS = path.join(
  ROOT,
  'node_modules',
  'yaml-language-server',
  'bin',
  'yaml-language-server',
);

const log = (...args) => console.log(...args);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);

// ---------------------------------------------------------------------------------------------
// Inputs

function files() {
  mkdirSync(OUT, { recursive: true });
  const out = {};
  for (const size of SIZES) {
    const file = path.join(OUT, `estate-${size}.relay.yaml`);
    const text = generateConfig(size, 1);
    writeFileSync(file, text);
    out[size] = { file, text };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The floor: yaml parse + ajv validation, nothing else, in this process

function floorValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true });
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
}

function floorOnce(validate, text) {
  const t0 = performance.now();
  for (const doc of parseAllDocuments(text)) validate(doc.toJS());
  return performance.now() - t0;
}

// ---------------------------------------------------------------------------------------------
// Language servers

const CAPABILITIES = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    workspaceFolders: true,
  },
  textDocument: {
    synchronization: { didSave: true },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: true,
      codeDescriptionSupport: true,
      dataSupport: true,
    },
  },
};

const YAML_SETTINGS = {
  validate: true,
  hover: false,
  completion: false,
  format: { enable: false },
  schemas: { [SCHEMA_URI]: ['*.relay.yaml'] },
  schemaStore: { enable: false },
  maxItemsComputed: 5000,
};

const servers = {
  'relay-lint': {
    start: () =>
      new LspClient(process.execPath, [SERVER, '--stdio'], {
        env: { RELAY_LINT_DEBOUNCE_MS: '0' },
        onRequest: (method, params) =>
          method === 'workspace/configuration' ? params.items.map(() => ({})) : null,
      }),
    configure: () => undefined,
    /** Our server says which version it linted. */
    isEdit: (version) => (p) => p.version === version,
  },
  'yaml-language-server': {
    start: () =>
      new LspClient(process.execPath, [YAML_LS, '--stdio'], {
        onRequest: (method, params) =>
          method === 'workspace/configuration'
            ? params.items.map((i) =>
                i.section === 'yaml'
                  ? YAML_SETTINGS
                  : i.section === 'http'
                    ? { proxy: '', proxyStrictSSL: false }
                    : null,
              )
            : null,
      }),
    configure: (client) =>
      client.notify('workspace/didChangeConfiguration', { settings: { yaml: YAML_SETTINGS } }),
    /** yaml-language-server publishes without a version: the next publish after the edit. */
    isEdit: () => () => true,
  },
};

async function startServer(name) {
  const spec = servers[name];
  const client = spec.start();
  await client.initialize({
    processId: process.pid,
    rootUri: pathToFileURL(OUT).href,
    capabilities: CAPABILITIES,
    workspaceFolders: [{ uri: pathToFileURL(OUT).href, name: 'bench' }],
  });
  spec.configure(client);
  return client;
}

/**
 * Open → first diagnostics, and one-character edit → new diagnostics, per size, for both servers
 * and the floor. The three are measured in turns, round by round, so that a change in the
 * machine's load during the run touches all of them alike.
 */
async function serversRun(validate, inputs) {
  const names = Object.keys(servers);
  const clients = {};
  for (const name of names) clients[name] = await startServer(name);
  const all = names.map((n) => clients[n]);
  const out = Object.fromEntries([...names, 'floor'].map((n) => [n, {}]));
  for (const size of SIZES) {
    const { text } = inputs[size];
    const site = editSite(text);
    const pos = positionOf(text, site.offset);
    const [opens, edits] = ROUNDS[size];
    const times = Object.fromEntries(names.map((n) => [n, { open: [], edit: [] }]));
    const floorTimes = [];
    const schemaSeen = Object.fromEntries(names.map((n) => [n, true]));
    // Warm-up at this size (unmeasured): the JIT needs a dozen runs on small files.
    for (let w = 0; w < (size <= 1000 ? 20 : 3); w++) floorOnce(validate, text);
    for (const name of names) {
      for (let w = 0; w < (size >= 50_000 ? 1 : 2); w++) {
        const { uri } = await openAndWait(clients[name], text, `warmup-${size}-${w}`);
        clients[name].notify('textDocument/didClose', { textDocument: { uri } });
      }
    }
    const open = {};
    for (let r = 0; r < opens; r++) {
      await settle(all);
      floorTimes.push(floorOnce(validate, text));
      for (const name of names) {
        const client = clients[name];
        if (open[name] !== undefined) {
          client.notify('textDocument/didClose', { textDocument: { uri: open[name] } });
        }
        await settle(all);
        const { uri, ms: t, params } = await openAndWait(client, text, `${size}-${r}`);
        times[name].open.push(t);
        schemaSeen[name] &&= params.diagnostics.some((d) => /listner/.test(d.message));
        open[name] = uri;
      }
    }
    // Edits on the last opened copy: the same digit, toggled.
    for (let v = 2; v < 2 + edits; v++) {
      await settle(all);
      floorTimes.push(floorOnce(validate, text));
      for (const name of names) {
        const client = clients[name];
        const uri = open[name];
        await settle(all);
        const t0 = performance.now();
        const next = client.diagnostics(uri, servers[name].isEdit(v));
        client.notify('textDocument/didChange', {
          textDocument: { uri, version: v },
          contentChanges: [
            {
              range: { start: pos, end: { line: pos.line, character: pos.character + 1 } },
              text: v % 2 === 0 ? site.to : site.from,
            },
          ],
        });
        const p = await next;
        times[name].edit.push(p.receivedAt - t0);
      }
    }
    out.floor[size] = median(floorTimes);
    log(`floor ${size} lines: ${ms(out.floor[size])} ms`);
    for (const name of names) {
      const client = clients[name];
      out[name][size] = {
        open: median(times[name].open),
        edit: median(times[name].edit),
        rss: client.rss(),
        schemaSeen: schemaSeen[name],
      };
      client.notify('textDocument/didClose', { textDocument: { uri: open[name] } });
      const r = out[name][size];
      log(
        `${name} ${size} lines: open→diagnostics ${ms(r.open)} ms, edit→diagnostics ${ms(r.edit)} ms, RSS ${mb(r.rss)} MB${r.schemaSeen ? '' : ' (schema finding missing!)'}`,
      );
    }
  }
  for (const name of names) await clients[name].shutdown();
  return out;
}

/**
 * Waits until no server uses CPU (garbage collection or work left over from the last request),
 * so that one server's tail does not slow the next measurement down. At most 10 s.
 */
async function settle(clients) {
  const deadline = performance.now() + 10_000;
  let last = clients.map((c) => c.cpuTicks());
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = clients.map((c) => c.cpuTicks());
    if (now.every((t, i) => t === last[i])) return;
    last = now;
  }
}

let counter = 0;
async function openAndWait(client, text, tag) {
  const uri = pathToFileURL(path.join(OUT, `open-${tag}-${counter++}.relay.yaml`)).href;
  const t0 = performance.now();
  const next = client.diagnostics(uri);
  client.notify('textDocument/didOpen', {
    textDocument: { uri, languageId: 'yaml', version: 1, text },
  });
  const params = await next;
  return { uri, ms: params.receivedAt - t0, params };
}

function positionOf(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** RSS of our server before and after `CYCLES` open/close cycles of the 1,000-line file. */
async function memoryCycles(inputs) {
  const client = await startServer('relay-lint');
  const text = inputs[1000].text;
  const cycle = async (i) => {
    const { uri } = await openAndWait(client, text, `cycle-${i}`);
    const cleared = client.diagnostics(uri, (p) => p.diagnostics.length === 0);
    client.notify('textDocument/didClose', { textDocument: { uri } });
    await cleared;
  };
  // Warm-up: the lint worker's heap grows to its working size over the first few hundred
  // cycles and then stays there; a leak would keep growing after it.
  await cycle(0);
  const cold = client.rss();
  for (let i = 1; i < WARMUP_CYCLES; i++) await cycle(i);
  const before = client.rss();
  const t0 = performance.now();
  for (let i = 0; i < CYCLES; i++) await cycle(WARMUP_CYCLES + i);
  const after = client.rss();
  await client.shutdown();
  log(
    `memory: RSS ${mb(before)} MB before, ${mb(after)} MB after ${CYCLES} open/close cycles (${ms((performance.now() - t0) / CYCLES)} ms per cycle)`,
  );
  return { cold, before, after };
}

// ---------------------------------------------------------------------------------------------
// CLI on many files vs a single-threaded floor loop

function cliCorpus() {
  const dir = path.join(OUT, `cli-${CLI_FILES}`);
  const stamp = path.join(dir, '.complete');
  try {
    statSync(stamp);
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
  for (let i = 0; i < CLI_FILES; i++) {
    const sub = path.join(dir, `site-${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(
      path.join(sub, `host-${String(i).padStart(5, '0')}.relay.yaml`),
      generateConfig(100, 1000 + i),
    );
  }
  writeFileSync(stamp, '');
  return dir;
}

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((n) => n.endsWith('.relay.yaml'))
    .map((n) => path.join(dir, n))
    .sort();
}

function floorLoop(validate, dir) {
  const t0 = performance.now();
  let errors = 0;
  for (const file of listFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const doc of parseAllDocuments(text)) if (!validate(doc.toJS())) errors++;
  }
  return { ms: performance.now() - t0, errors };
}

function cliRun(dir) {
  const report = path.join(OUT, 'cli-report.json');
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [CLI, '--format', 'json', '--output', report, '--fail-on', 'never', dir],
    {
      encoding: 'utf8',
    },
  );
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`relay-lint exited ${r.status}: ${r.stderr}`);
  const files = JSON.parse(readFileSync(report, 'utf8')).files.length;
  return { ms: t, files };
}

function cliBench(validate) {
  const dir = cliCorpus();
  const floors = [];
  const clis = [];
  let files = 0;
  for (let r = 0; r < CLI_ROUNDS; r++) {
    floors.push(floorLoop(validate, dir).ms);
    const run = cliRun(dir);
    clis.push(run.ms);
    files = run.files;
  }
  const out = { floor: median(floors), cli: median(clis), files };
  log(`CLI on ${files} files: ${ms(out.cli)} ms; single-threaded floor loop: ${ms(out.floor)} ms`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// CLI start-up, and native formats next to a relay file

const NATIVE_ROUNDS = QUICK ? 1 : 3;
const STARTUP_ROUNDS = QUICK ? 3 : 7;

/** Wall time of one CLI process on `files`, start to exit, with the number of findings. */
function cliOnce(args) {
  const report = path.join(OUT, 'cli-one.json');
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [CLI, '--format', 'json', '--output', report, '--fail-on', 'never', ...args],
    { encoding: 'utf8' },
  );
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`relay-lint exited ${r.status}: ${r.stderr}`);
  const parsed = JSON.parse(readFileSync(report, 'utf8'));
  const findings = parsed.files.reduce((n, f) => n + (f.findings?.length ?? 0), 0);
  return { ms: t, findings };
}

function startupBench() {
  const small = path.join(ROOT, 'examples', 'secure', 'iis-app-relay.relay.yaml');
  const cli = [];
  const bare = [];
  for (let r = 0; r < STARTUP_ROUNDS; r++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(performance.now() - t0);
    const t1 = performance.now();
    spawnSync(process.execPath, [CLI, small], { encoding: 'utf8' });
    cli.push(performance.now() - t1);
  }
  const out = { cli: median(cli), bare: median(bare) };
  log(`start-up: relay-lint on one small file ${ms(out.cli)} ms; node -e 0 ${ms(out.bare)} ms`);
  return out;
}

function nativeInputs() {
  const dir = path.join(OUT, 'native');
  mkdirSync(path.join(dir, 'postfix'), { recursive: true });
  mkdirSync(path.join(dir, 'iis'), { recursive: true });
  mkdirSync(path.join(dir, 'exchange'), { recursive: true });
  mkdirSync(path.join(dir, 'relay'), { recursive: true });
  const write = (rel, text) => {
    const file = path.join(dir, rel);
    writeFileSync(file, text);
    return { file, text };
  };
  write('postfix/master.cf', postfixMaster());
  return [
    {
      label: 'relay model: 1,000-line `*.relay.yaml`',
      ...write('relay/estate-1000.relay.yaml', generateConfig(1000, 1)),
    },
    {
      label: 'Postfix: 2,000-line `main.cf` + 20-service `master.cf`',
      ...write('postfix/main.cf', postfixMain(2000)),
    },
    {
      label: 'IIS: 20,000-line `MetaBase.xml` (10 SMTP virtual servers)',
      ...write('iis/MetaBase.xml', metabase(20_000)),
    },
    {
      label: 'Exchange: export of 40 receive connectors × 50 `RemoteIPRanges`',
      ...write('exchange/connectors.exchange.json', exchangeExport(40, 50)),
    },
  ];
}

function nativeBench(startup) {
  const rows = [];
  for (const input of nativeInputs()) {
    const times = [];
    let findings = 0;
    for (let r = 0; r < NATIVE_ROUNDS; r++) {
      const run = cliOnce([input.file]);
      times.push(run.ms);
      findings = run.findings;
    }
    const row = {
      label: input.label,
      lines: input.text.split('\n').length - 1,
      bytes: input.text.length,
      ms: median(times),
      findings,
    };
    row.work = Math.max(0, row.ms - startup.cli);
    log(
      `native: ${row.label}: ${ms(row.ms)} ms (${ms(row.work)} ms over start-up), ${findings} findings`,
    );
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Report

function machine() {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    load: os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' / '),
  };
}

function versionOf(pkg) {
  return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8'))
    .version;
}

function verdict(ok, text) {
  return `${ok ? '✅' : '❌'} ${text}`;
}

function report({
  inputs,
  floorMs,
  ours,
  yls,
  memory,
  cli,
  startup,
  native,
  startedAt,
  before,
  after,
  seconds,
}) {
  const lines = [];
  const firstRatios = SIZES.map((s) => ours[s].open / yls[s].open);
  const editRatios = SIZES.map((s) => ours[s].edit / floorMs[s]);
  const speedup = cli.floor / cli.cli;
  const growth = (memory.after - memory.before) / memory.before;
  lines.push('# Benchmark results', '');
  lines.push(
    `Run ${startedAt} on ${before.cpu}, ${before.memory}, ${before.os}, Node ${before.node}; yaml-language-server ${versionOf('yaml-language-server')}, yaml ${versionOf('yaml')}, ajv ${versionOf('ajv')}.`,
  );
  lines.push(
    `Load average (1/5/15 min) at the start: ${before.load}; at the end: ${after.load}. The whole run took ${seconds.toFixed(0)} s.`,
  );
  lines.push(
    '',
    'Reproduce: `npm run bench` (builds, generates `bench/out/`, runs everything, rewrites this file; 7 to 12 minutes on 2 CPUs, depending on their load). `BENCH_QUICK=1 npm run bench` is a one-minute smoke run.',
    '',
  );
  lines.push('## Language servers: one document, medians', '');
  lines.push(
    '| lines | bytes | floor: yaml + ajv | relay-lint open → diagnostics | yaml-language-server open → diagnostics | ratio (target ≤ 0.25) | relay-lint edit → diagnostics (no debounce) | ratio to floor (target ≤ 1.5) | yaml-language-server edit → diagnostics | RSS relay-lint | RSS yaml-language-server |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  SIZES.forEach((s, i) => {
    lines.push(
      `| ${s.toLocaleString('en-US')} | ${inputs[s].text.length.toLocaleString('en-US')} | ${ms(floorMs[s])} ms | ${ms(ours[s].open)} ms | ${ms(yls[s].open)} ms | ${verdict(firstRatios[i] <= 0.25, firstRatios[i].toFixed(2))} | ${ms(ours[s].edit)} ms | ${verdict(editRatios[i] <= 1.5, editRatios[i].toFixed(2))} | ${ms(yls[s].edit)} ms | ${mb(ours[s].rss)} MB | ${mb(yls[s].rss)} MB |`,
    );
  });
  lines.push('');
  lines.push(
    "Open → diagnostics and edit → diagnostics are measured by the client, from sending the notification to receiving `publishDiagnostics` (for relay-lint, the one naming the edited version). relay-lint runs with `RELAY_LINT_DEBOUNCE_MS=0`, so its edit figure is its own work (message handling, text sync, the lint — on the server's thread for documents up to 48 KB, on its lint worker above that —, conversion, the publish); in the editor a keystroke adds the 150 ms debounce on top. yaml-language-server waits a fixed 200 ms before it validates a document it was sent, on open and on every change (`validationDelayMs`, not a setting); its figures include that wait, so its own work is its figure minus 200 ms. Both servers validate the same schema (`schemas/relay-config.schema.json`, given to yaml-language-server through `yaml.schemas`); each file carries one schema error near its end, and both servers reported it. The floor parses with `yaml` and validates with ajv (draft 2020-12, allErrors), in the benchmark process, after a warm-up. The floor and the two servers are measured in turns, round by round, so that changes in the machine's load touch all three alike.",
  );
  lines.push('', '## CLI: many files', '');
  lines.push(
    '| files | single-threaded floor loop (read + yaml + ajv) | relay-lint CLI (process start to exit) | speed-up (target ≥ 1.6) |',
  );
  lines.push('|---:|---:|---:|---:|');
  lines.push(
    `| ${cli.files.toLocaleString('en-US')} × 100 lines | ${ms(cli.floor)} ms | ${ms(cli.cli)} ms | ${verdict(speedup >= 1.6, `${speedup.toFixed(2)}×`)} |`,
  );
  lines.push(
    '',
    `The CLI runs with its defaults (\`--concurrency auto\`: up to one thread per idle CPU, judged by the load average; ${os.cpus().length} CPUs here) and writes the JSON report to a file; medians of ${CLI_ROUNDS} rounds.`,
  );
  lines.push('', '## CLI start-up', '');
  lines.push('| run | wall time (median) |');
  lines.push('|---|---:|');
  lines.push(
    `| \`relay-lint examples/secure/iis-app-relay.relay.yaml\` (cold process, text report) | ${ms(startup.cli)} ms |`,
  );
  lines.push(`| \`node -e 0\` (the runtime alone) | ${ms(startup.bare)} ms |`);
  lines.push(
    '',
    `Medians of ${STARTUP_ROUNDS} runs, process start to exit, measured in turns.`,
    '',
    '## Native formats: one file through the CLI',
    '',
  );
  lines.push('| input | lines | bytes | CLI wall time | over start-up | findings |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const n of native) {
    lines.push(
      `| ${n.label} | ${n.lines.toLocaleString('en-US')} | ${n.bytes.toLocaleString('en-US')} | ${ms(n.ms)} ms | ${ms(n.work)} ms | ${n.findings} |`,
    );
  }
  lines.push(
    '',
    `One CLI process per file (the Postfix one reads \`master.cf\` beside \`main.cf\`), JSON report to a file; medians of ${NATIVE_ROUNDS} rounds. "Over start-up" subtracts the start-up figure above: the file's own read, parse, rules and report.`,
  );
  lines.push('', '## Memory: open/close cycles', '');
  lines.push('| cycles | RSS before | RSS after | change (target ±10 %) |');
  lines.push('|---:|---:|---:|---:|');
  lines.push(
    `| ${CYCLES.toLocaleString('en-US')} × the 1,000-line file | ${mb(memory.before)} MB | ${mb(memory.after)} MB | ${verdict(Math.abs(growth) <= 0.1, `${(growth * 100).toFixed(1)} %`)} |`,
  );
  lines.push(
    '',
    `RSS of the server process (its lint worker included) after ${WARMUP_CYCLES} warm-up cycles and after ${CYCLES.toLocaleString('en-US')} more; it was ${mb(memory.cold)} MB after the first. Each cycle opens the file (a new URI each time), waits for its diagnostics, closes it and waits for the cleared diagnostics.`,
  );
  lines.push('', '## Targets missed', '');
  const missed = [];
  SIZES.forEach((s, i) => {
    if (firstRatios[i] > 0.25)
      missed.push(
        `- First diagnostics, ${s.toLocaleString('en-US')} lines: ${firstRatios[i].toFixed(2)}× yaml-language-server's, target 0.25× (${(firstRatios[i] / 0.25).toFixed(1)}× over).`,
      );
    if (editRatios[i] > 1.5)
      missed.push(
        `- Work per edit, ${s.toLocaleString('en-US')} lines: ${editRatios[i].toFixed(2)}× the floor, target 1.5× (${(editRatios[i] / 1.5).toFixed(1)}× over).`,
      );
  });
  if (speedup < 1.6)
    missed.push(
      `- CLI on ${cli.files.toLocaleString('en-US')} files: ${speedup.toFixed(2)}× faster than the floor loop, target 1.6× (${(1.6 / speedup).toFixed(2)}× short).`,
    );
  if (Math.abs(growth) > 0.1)
    missed.push(`- Memory over ${CYCLES} cycles: ${(growth * 100).toFixed(1)} %, target ±10 %.`);
  lines.push(...(missed.length > 0 ? missed : ['None in this run.']));
  lines.push('', ANALYSIS_START, previousAnalysis(), ANALYSIS_END, '');
  return lines.join('\n');
}

const ANALYSIS_START =
  '<!-- analysis: written by hand, kept when the benchmark rewrites this file -->';
const ANALYSIS_END = '<!-- /analysis -->';

function previousAnalysis() {
  try {
    const old = readFileSync(path.join(ROOT, 'bench', 'RESULTS.md'), 'utf8');
    const a = old.indexOf(ANALYSIS_START);
    const b = old.indexOf(ANALYSIS_END);
    if (a >= 0 && b > a) return old.slice(a + ANALYSIS_START.length, b).trim();
  } catch {
    // First run.
  }
  return '## Why, and what would close the gaps\n\n(To be written after the first run.)';
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const before = machine();
  const t0 = performance.now();
  log(
    `relay-lint benchmark${QUICK ? ' (quick)' : ''}: ${before.cpu}, Node ${before.node}, load ${before.load}`,
  );
  for (const bundle of [SERVER, CLI, YAML_LS]) statSync(bundle); // built and installed?
  if (process.env.BENCH_NATIVE_ONLY === '1') {
    // A quick look at the start-up and native rows alone; writes nothing.
    nativeBench(startupBench());
    return;
  }
  const inputs = files();
  const validate = floorValidator();
  const measured = await serversRun(validate, inputs);
  const floorMs = measured.floor;
  const ours = measured['relay-lint'];
  const yls = measured['yaml-language-server'];
  const memory = await memoryCycles(inputs);
  const cli = cliBench(validate);
  const startup = startupBench();
  const native = nativeBench(startup);
  const after = machine();
  const seconds = (performance.now() - t0) / 1000;
  // Formatted as `npm run check` (prettier --check .) expects.
  const md = await format(
    report({
      inputs,
      floorMs,
      ours,
      yls,
      memory,
      cli,
      startup,
      native,
      startedAt,
      before,
      after,
      seconds,
    }),
    { parser: 'markdown', proseWrap: 'preserve' },
  );
  if (!QUICK) writeFileSync(path.join(ROOT, 'bench', 'RESULTS.md'), md);
  log('');
  log(md);
  log(QUICK ? '(quick run: bench/RESULTS.md not written)' : 'wrote bench/RESULTS.md');
}

await main();
