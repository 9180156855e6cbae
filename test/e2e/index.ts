// extensionTestsPath module: runs the mocha suite INSIDE the VS Code extension host
// (code-server via scripts/e2e/e2e-run.sh, or VS Code via run-electron.ts).
// Prints "N passed, N failed" last and, when E2E_RESULT_FILE is set, writes the counts there
// so the driver can double-check the exit code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const grep = process.env['E2E_GREP'];
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout: 120_000,
    ...(grep ? { grep } : {}),
  });
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const passed = runner.stats?.passes ?? 0;
        const failed = runner.stats?.failures ?? failures;
        const pending = runner.stats?.pending ?? 0;
        const resultFile = process.env['E2E_RESULT_FILE'];
        if (resultFile) {
          fs.writeFileSync(resultFile, JSON.stringify({ passed, failed, pending }));
        }
        if (pending > 0) console.log(`${pending} pending (skipped)`);
        console.log(`${passed} passed, ${failed} failed`);
        if (failures > 0 || passed === 0) reject(new Error(`${failures} e2e test(s) failed`));
        else resolve();
      });
    } catch (error) {
      console.log('0 passed, 1 failed');
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
