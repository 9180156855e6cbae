'use strict';
// UI-level e2e driver: drives code-server's web workbench in Debian chromium (playwright-core)
// the way a person would, against the extension INSTALLED from its .vsix:
//   1. open --file from the Explorer (walking its folders)
//   2. wait for a squiggle of class --squiggle in the editor
//   3. Problems panel (Ctrl+Shift+M): at least one row mentions --rule     -> diagnostic.png
//   4. open that row (cursor on the finding), Ctrl+. opens the quick-fix menu  -> quickfix-menu.png
//   5. apply the first menu item whose label contains --fix
//   6. the editor text changed (and contains --fixed-text, if given)          -> fixed.png
// On failure: failure.png, plus the Problems rows / menu items it saw.
//
// Usage: node ui-e2e.js --workspace DIR --file REL --rule CODE --fix TEXT [options]
//   option        env                 default / meaning
//   --url         E2E_URL             http://127.0.0.1:8765 (code-server base URL)
//   --workspace   E2E_WORKSPACE       required: folder to open (an absolute path on the server)
//   --file        E2E_UI_FILE         required: file to open, relative to the workspace (a/b/c.json)
//   --rule        E2E_UI_RULE         required: text a Problems row must contain, e.g. RLY002
//   --fix         E2E_UI_FIX          required: text in the label of the quick fix to apply
//   --squiggle    E2E_UI_SQUIGGLE     .squiggly-error (Error severity; .squiggly-warning, .squiggly-info)
//   --fixed-text  E2E_UI_FIXED_TEXT   optional: text the editor must show after the fix
//   --out         E2E_OUT             . (screenshots go here)
// Other env: E2E_STEP_TIMEOUT_MS (per wait, default 60000), CHROMIUM (default /usr/bin/chromium).
// Needs playwright-core resolvable (NODE_PATH from the tools env.sh) and code-server started with
// `--vscode-option enable-smoke-test-driver` (for window.driver.whenWorkbenchRestored) and
// "explorer.compactFolders": false (start-code-server.sh does both).
// Selectors are VS Code internals (pinned code-server 4.139.1 = VS Code 1.139.1).
// Output: step lines prefixed [ui-e2e <seconds>], then "1 passed, 0 failed" or "0 passed, 1 failed".
// Exit: 0 pass, 1 fail, 2 bad arguments.
const { chromium } = require('playwright-core');
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');

const { values: args } = util.parseArgs({
  options: {
    url: { type: 'string' },
    workspace: { type: 'string' },
    file: { type: 'string' },
    rule: { type: 'string' },
    fix: { type: 'string' },
    squiggle: { type: 'string' },
    'fixed-text': { type: 'string' },
    out: { type: 'string' },
  },
});
const env = process.env;
const cfg = {
  url: (args.url ?? env.E2E_URL ?? 'http://127.0.0.1:8765').replace(/\/+$/, ''),
  workspace: args.workspace ?? env.E2E_WORKSPACE,
  file: args.file ?? env.E2E_UI_FILE,
  rule: args.rule ?? env.E2E_UI_RULE,
  fix: args.fix ?? env.E2E_UI_FIX,
  squiggle: args.squiggle ?? env.E2E_UI_SQUIGGLE ?? '.squiggly-error',
  fixedText: args['fixed-text'] ?? env.E2E_UI_FIXED_TEXT,
  out: args.out ?? env.E2E_OUT ?? '.',
  stepMs: Number(env.E2E_STEP_TIMEOUT_MS || 60000),
};
for (const k of ['workspace', 'file', 'rule', 'fix']) {
  if (!cfg[k]) {
    console.error(`ui-e2e: missing --${k} (see the top of ${__filename})`);
    process.exit(2);
  }
}

const T0 = Date.now();
const log = (...a) => console.log(`[ui-e2e ${((Date.now() - T0) / 1000).toFixed(1)}s]`, ...a);
const exact = (s) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

const SEL = {
  explorerRow: '.explorer-folders-view .monaco-list-row',
  editor: '.part.editor .monaco-editor',
  problemRow: '.markers-panel .monaco-list-row',
  quickFixRow: '.action-widget .monaco-list-row',
};

/** The active editor's rendered lines, top to bottom, with monaco's non-breaking spaces undone. */
function editorText(page) {
  return page.evaluate((sel) => {
    const lines = [...document.querySelectorAll(`${sel} .view-lines .view-line`)];
    lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return lines.map((l) => l.textContent.replace(/\u00a0/g, ' ')).join('\n');
  }, SEL.editor);
}

async function openFromExplorer(page, relPath) {
  const parts = relPath.split(/[\\/]+/).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const row = page
      .locator(`${SEL.explorerRow}[aria-level="${i + 1}"]`)
      .filter({ has: page.locator('.label-name', { hasText: exact(parts[i]) }) })
      .first();
    await row.waitFor({ timeout: cfg.stepMs });
    if (i < parts.length - 1) {
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
      await page.waitForFunction(
        (el) => el.getAttribute('aria-expanded') === 'true',
        await row.elementHandle(),
        { timeout: cfg.stepMs },
      );
    } else {
      await row.click();
    }
  }
  const name = parts[parts.length - 1];
  await page
    .locator('.part.editor .tab.active', { hasText: name })
    .first()
    .waitFor({ timeout: cfg.stepMs });
  await page.waitForFunction(
    (sel) => document.querySelectorAll(`${sel} .view-lines .view-line`).length > 0,
    SEL.editor,
    { timeout: cfg.stepMs },
  );
}

async function main() {
  fs.mkdirSync(cfg.out, { recursive: true });
  // launch() always uses a fresh temporary profile (it rejects a --user-data-dir flag)
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
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => log('pageerror:', e.message));
  const shot = (name) => page.screenshot({ path: path.join(cfg.out, name) });
  let ok = false;
  try {
    await page.goto(`${cfg.url}/?folder=${encodeURIComponent(path.resolve(cfg.workspace))}`);
    await page.waitForSelector('.monaco-workbench', { timeout: cfg.stepMs });
    log('workbench visible');
    // window.driver exists with enable-smoke-test-driver: wait for the "restored" lifecycle phase
    if (await page.evaluate(() => !!window.driver)) {
      await page.evaluate(() => window.driver.whenWorkbenchRestored());
      log('workbench restored');
    }

    await openFromExplorer(page, cfg.file);
    log(`editor shows ${cfg.file}`);

    const squiggle = page.locator(`${SEL.editor} ${cfg.squiggle}`);
    await squiggle.first().waitFor({ timeout: cfg.stepMs });
    log(`squiggle ${cfg.squiggle} visible (${await squiggle.count()})`);

    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator(SEL.problemRow, { hasText: cfg.rule });
    await problems.first().waitFor({ timeout: cfg.stepMs });
    const nBefore = await problems.count();
    log(`problems rows with ${cfg.rule}: ${nBefore};`, await rowText(problems.first()));
    await shot('diagnostic.png');

    // Opening the row (double-click) focuses the editor with the finding's range selected,
    // so Ctrl+. asks for the code actions of exactly that diagnostic.
    await problems.first().dblclick();
    await page.locator(`${SEL.editor}.focused`).first().waitFor({ timeout: cfg.stepMs });
    // A Ctrl+. pressed while the editor is still settling (focus, reveal) is sometimes dropped
    // (seen once in ~10 runs): press again until the menu shows.
    await pressUntilVisible(page, 'Control+.', page.locator(SEL.quickFixRow).first());
    const item = page.locator(SEL.quickFixRow, { hasText: cfg.fix }).first();
    await item.waitFor({ timeout: cfg.stepMs }).catch(async (e) => {
      const labels = await page.locator(SEL.quickFixRow).allInnerTexts();
      throw new Error(
        `no quick fix containing "${cfg.fix}"; menu: ${JSON.stringify(labels)}\n${e.message}`,
      );
    });
    log('quick-fix menu:', JSON.stringify(await page.locator(SEL.quickFixRow).allInnerTexts()));
    await shot('quickfix-menu.png');
    const before = await editorText(page); // now: the editor has scrolled to the finding already

    await item.click();
    await page.waitForFunction(
      ([sel, prev, want]) => {
        const lines = [...document.querySelectorAll(`${sel} .view-lines .view-line`)];
        lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
        const now = lines.map((l) => l.textContent.replace(/\u00a0/g, ' ')).join('\n');
        return now !== prev && (!want || now.includes(want));
      },
      [SEL.editor, before, cfg.fixedText ?? ''],
      { timeout: cfg.stepMs },
    );
    const after = await editorText(page);
    log('text changed:', JSON.stringify(lineDiff(before, after)));
    // Let the language server re-publish before the screenshot; informational only, since the
    // file may well have other findings of the same rule.
    await page
      .waitForFunction(
        ([sel, rule, n]) =>
          [...document.querySelectorAll(sel)].filter((r) => r.textContent.includes(rule)).length <
          n,
        [SEL.problemRow, cfg.rule, nBefore],
        { timeout: 10000 },
      )
      .catch(() => {});
    log(
      `problems rows with ${cfg.rule} after the fix: ${await problems.count()} (before: ${nBefore})`,
    );
    await shot('fixed.png');
    ok = true;
  } catch (e) {
    log('FAILED:', e.message);
    const rows = await page
      .locator(SEL.problemRow)
      .allInnerTexts()
      .catch(() => []);
    if (rows.length)
      log('problems rows seen:', JSON.stringify(rows.map((r) => r.replace(/\s+/g, ' '))));
    await shot('failure.png').catch(() => {});
  } finally {
    await browser.close().catch(() => {});
  }
  console.log(ok ? '1 passed, 0 failed' : '0 passed, 1 failed');
  return ok ? 0 : 1;
}

async function pressUntilVisible(page, key, target, attemptMs = 5000) {
  const deadline = Date.now() + cfg.stepMs;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    try {
      await target.waitFor({ timeout: Math.min(attemptMs, Math.max(1, deadline - Date.now())) });
      if (attempt > 1) log(`${key} needed ${attempt} presses`);
      return;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
    }
  }
}

async function rowText(row) {
  return (await row.innerText()).replace(/\s+/g, ' ').trim();
}

/** The lines that differ, as [before, after] pairs (small files only; enough for a log line). */
function lineDiff(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  const out = [];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) out.push([x[i] ?? null, y[i] ?? null]);
  }
  return out.slice(0, 5);
}

main().then(
  (rc) => process.exit(rc),
  (e) => {
    console.error('ui-e2e: driver error:', e);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
