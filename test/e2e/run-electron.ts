// The same extension-host suite in desktop VS Code, through @vscode/test-electron, for machines
// that can download VS Code (update.code.visualstudio.com). It cannot run on the project's own
// CI machines, where that host is unreachable: there `npm run test:e2e` runs the suite in
// code-server instead (docs/e2e.md).
//
//   npm run build && npx tsc -p test/e2e && node test/e2e/out/run-electron.js
//   (or `npm run test:e2e:electron`; VSCODE_VERSION=1.91.0 picks a version, default stable)
//
// Like scripts/e2e/e2e-run.sh it gives the run a fresh copy of the fixture workspace
// (test/e2e/workspace plus examples/) and a fresh user-data-dir with the same test settings.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const ROOT = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<number> {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-lint-e2e-electron-'));
  try {
    const workspace = path.join(run, 'workspace');
    fs.cpSync(path.join(ROOT, 'test', 'e2e', 'workspace'), workspace, { recursive: true });
    fs.cpSync(path.join(ROOT, 'examples'), path.join(workspace, 'examples'), { recursive: true });
    const userData = path.join(run, 'user-data');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    const settings = {
      'files.autoSave': 'off',
      'files.hotExit': 'off',
      'files.refactoring.autoSave': false,
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'chat.disableAIFeatures': true,
      'git.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
    };
    fs.writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify(settings, null, 2) + '\n',
    );
    const resultFile = path.join(run, 'result.json');
    const code = await runTests({
      version: process.env['VSCODE_VERSION'] ?? 'stable',
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'test', 'e2e', 'out', 'index.js'),
      extensionTestsEnv: { E2E_RESULT_FILE: resultFile, E2E_OUT: run },
      launchArgs: [
        workspace,
        '--user-data-dir',
        userData,
        '--extensions-dir',
        path.join(run, 'extensions'),
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
      ],
    });
    const result = fs.existsSync(resultFile) ? fs.readFileSync(resultFile, 'utf8') : 'none';
    console.log(`run-electron: exit code ${code}, result ${result}`);
    return code;
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('run-electron: failed:', error);
    process.exitCode = 1;
  },
);
