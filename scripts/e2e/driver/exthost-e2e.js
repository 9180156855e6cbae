'use strict';
// Extension-host e2e driver.
//
// code-server runs the extension's own test module (extensionTestsPath) inside VS Code's real
// Node extension host, with the extension loaded from its folder (extensionDevelopmentPath).
// The browser only opens the window that starts it; the workbench reports the result through
// window.codeAutomationExit(code) and forwards the extension host's console through
// window.codeAutomationLog(type, args) (the hooks @vscode/test-web uses too).
// code-server must run with `--vscode-option enable-smoke-test-driver`, else the workbench
// silently ignores the payload (start-code-server.sh passes it).
//
// Usage: node exthost-e2e.js --url URL --workspace DIR --ext-dev DIR --ext-tests FILE [--out DIR]
//   --url        code-server base URL                  env E2E_URL        default http://127.0.0.1:8765
//   --workspace  folder to open in the window          env E2E_WORKSPACE  required
//   --ext-dev    extensionDevelopmentPath (built ext)  env E2E_EXT_DEV    required
//   --ext-tests  extensionTestsPath, a module exporting `run(): Promise<void>`
//                                                      env E2E_EXT_TESTS  required
//   --out        where exthost-console.log and, on failure, exthost-failure.png go
//                                                      env E2E_OUT        default .
//   --result-file  optional JSON {"passed": N, "failed": N} the test module writes (the ext host
//                sees the same env, so E2E_RESULT_FILE works for both). Deleted before the run;
//                if it exists afterwards it must say failed 0 and passed > 0.
//                                                      env E2E_RESULT_FILE
// Other env: E2E_TIMEOUT_MS (whole run, default 180000), E2E_VERBOSE=1 (print workbench log
//   lines too), CHROMIUM (browser binary, default /usr/bin/chromium).
// Needs playwright-core resolvable (NODE_PATH from the tools env.sh).
// Output: the test code's console.log lines bare (so a runner's closing "N passed, N failed"
//   line reaches CI untouched); driver lines are prefixed with [exthost-e2e <seconds>].
// Exit: 0 if the tests passed, 1 if they failed or timed out, 2 on a driver error.
const { chromium } = require('playwright-core');
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');

const { values: args } = util.parseArgs({
  options: {
    url: { type: 'string' },
    workspace: { type: 'string' },
    'ext-dev': { type: 'string' },
    'ext-tests': { type: 'string' },
    out: { type: 'string' },
    'result-file': { type: 'string' },
  },
});
const env = process.env;
const cfg = {
  url: (args.url ?? env.E2E_URL ?? 'http://127.0.0.1:8765').replace(/\/+$/, ''),
  workspace: args.workspace ?? env.E2E_WORKSPACE,
  extDev: args['ext-dev'] ?? env.E2E_EXT_DEV,
  extTests: args['ext-tests'] ?? env.E2E_EXT_TESTS,
  out: args.out ?? env.E2E_OUT ?? '.',
  resultFile: args['result-file'] ?? env.E2E_RESULT_FILE,
  timeoutMs: Number(env.E2E_TIMEOUT_MS || 180000),
};
for (const k of ['workspace', 'extDev', 'extTests']) {
  if (!cfg[k]) {
    console.error(`exthost-e2e: missing --${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`);
    process.exit(2);
  }
}

const T0 = Date.now();
const secs = () => ((Date.now() - T0) / 1000).toFixed(1);
const log = (...a) => console.log(`[exthost-e2e ${secs()}s]`, ...a);

async function main() {
  // The remote authority in vscode-remote:// URIs is host:port of the page.
  const authority = new URL(cfg.url).host;
  const remote = (p) => `vscode-remote://${authority}${path.resolve(p)}`;
  const payload = [
    ['extensionDevelopmentPath', remote(cfg.extDev)],
    ['extensionTestsPath', remote(cfg.extTests)],
  ];
  const url =
    `${cfg.url}/?folder=${encodeURIComponent(path.resolve(cfg.workspace))}` +
    `&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  fs.mkdirSync(cfg.out, { recursive: true });
  if (cfg.resultFile) fs.rmSync(cfg.resultFile, { force: true });
  const consoleLog = fs.createWriteStream(path.join(cfg.out, 'exthost-console.log'));
  const errors = []; // last workbench/ext-host error lines, printed on failure

  const browser = await chromium.launch({
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let code;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let finish;
    const finished = new Promise((resolve) => (finish = resolve));
    await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
      // mocha and friends log printf-style ('✔ %s (%dms)'): format like console.log would
      const msg = Array.isArray(logArgs) ? util.format(...logArgs) : String(logArgs);
      consoleLog.write(`[${secs()}s ${type}] ${msg}\n`);
      if (type === 'info') console.log(msg);
      else if (env.E2E_VERBOSE) console.log(`[exthost ${type}] ${msg}`);
      if (type === 'error') {
        errors.push(msg);
        if (errors.length > 20) errors.shift();
      }
    });
    await page.exposeFunction('codeAutomationExit', (c) => finish(c));
    page.on('pageerror', (e) => log('pageerror:', e.message));
    page.on('crash', () => finish('page crashed'));
    browser.on('disconnected', () => finish('browser disconnected'));

    await page.goto(url);
    log('page loaded; waiting for the extension tests to finish');
    const timer = setTimeout(() => finish(`timeout after ${cfg.timeoutMs} ms`), cfg.timeoutMs);
    code = await finished;
    clearTimeout(timer);
    log('extension host exit code:', code);
    if (code === 0) code = await verifyPass();
    if (code !== 0) {
      if (errors.length)
        log('last errors from the workbench/extension host:\n  ' + errors.join('\n  '));
      await page.screenshot({ path: path.join(cfg.out, 'exthost-failure.png') }).catch(() => {});
    }
  } finally {
    await browser.close().catch(() => {});
    consoleLog.end();
  }
  return code === 0 ? 0 : 1;
}

/**
 * An exit code 0 alone is not enough: when the server goes away mid-run, the workbench may
 * report 0 too. So the server must still be healthy, and the result file (if any) must agree.
 */
async function verifyPass() {
  try {
    const res = await fetch(`${cfg.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (e) {
    log(`code-server is gone after the run (${e.message}): not trusting exit code 0`);
    return 'server gone';
  }
  if (cfg.resultFile && fs.existsSync(cfg.resultFile)) {
    const r = JSON.parse(fs.readFileSync(cfg.resultFile, 'utf8'));
    log('result file:', JSON.stringify(r));
    if (!(r.failed === 0 && r.passed > 0)) return 'result file disagrees';
  }
  return 0;
}

main().then(
  (rc) => process.exit(rc),
  (e) => {
    console.error('exthost-e2e: driver error:', e);
    process.exit(2);
  },
);
