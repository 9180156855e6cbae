import { run } from '../../server/src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in process, capturing its output. */
export async function runCli(argv: readonly string[], cwd: string, isTTY = false): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    cwd,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY,
  });
  return { code, stdout, stderr };
}
