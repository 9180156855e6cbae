// Workspace audit benchmark (issue 5): starts the bundled language server over stdio, audits a
// folder of N generated relay configurations (none open), and measures how long the audit takes
// and how long the server takes to answer a hover sent every 50 ms while it runs.
// Needs `npm run build` first.
//
//   node bench/audit-scale.mjs [FILES=10000]

/* global process, console, performance, setTimeout */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const server = path.join(root, 'server', 'dist', 'server.js');
const files = Number(process.argv[2] ?? 10000);

function config(i) {
  const list =
    i % 7 === 0
      ? ['10.0.0.0/8', '10.1.2.3', '81.2.0.0/16']
      : [`192.168.${i % 256}.25`, `10.${i % 250}.0.0/24`];
  return [
    'version: 1',
    'servers:',
    `  - name: SMTP-${i}`,
    '    listeners:',
    '      - name: Default SMTP Virtual Server',
    '        authentication:',
    `          anonymous: ${i % 3 === 0}`,
    `          basic: ${i % 4 === 0}`,
    '        relay:',
    `          mode: ${i % 5 === 0 ? 'allExcept' : 'onlyList'}`,
    '          list:',
    ...list.map((a) => `            - ${a}`),
    '',
  ].join('\n');
}

async function audit(dir) {
  const child = spawn(process.execPath, [server, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  let published = 0;
  connection.onNotification('textDocument/publishDiagnostics', () => published++);
  connection.onNotification('window/logMessage', () => undefined);
  connection.onNotification('relayLint/status', () => undefined);
  connection.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const folder = pathToFileURL(dir).href;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: folder,
    capabilities: { workspace: { configuration: true } },
    workspaceFolders: [{ uri: folder, name: 'bench' }],
  });
  connection.sendNotification('initialized', {});
  const latencies = [];
  let running = true;
  const probe = async () => {
    while (running) {
      const t = performance.now();
      await connection.sendRequest('textDocument/hover', {
        textDocument: { uri: `${folder}/not-open.relay.yaml` },
        position: { line: 0, character: 0 },
      });
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const start = performance.now();
  const probing = probe();
  const result = await connection.sendRequest('relayLint/audit', {});
  const ms = performance.now() - start;
  running = false;
  await probing;
  await connection.sendRequest('shutdown');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await connection.sendNotification('exit');
  await exited;
  connection.dispose();
  latencies.sort((a, b) => a - b);
  const pct = (q) => Math.round(latencies[Math.floor((latencies.length - 1) * q)] ?? 0);
  return {
    auditMs: Math.round(ms),
    found: result.found,
    published,
    hovers: latencies.length,
    hoverP50Ms: pct(0.5),
    hoverP95Ms: pct(0.95),
    hoverMaxMs: pct(1),
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'relay-lint-audit-'));
try {
  for (let i = 0; i < files; i++) {
    const sub = path.join(dir, `site-${i % 100}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `relay-${i}.relay.yaml`), config(i));
  }
  console.log(
    JSON.stringify({
      files,
      cpus: availableParallelism(),
      loadavg: loadavg().map((x) => Math.round(x * 10) / 10),
      ...(await audit(dir)),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
