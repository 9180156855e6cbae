import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { run } from '../../server/src/cli/main.js';
import { repoRoot } from '../support/repo-root.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output (no TTY). */
export async function runCli(
  argv: readonly string[],
  options: { readonly cwd?: string; readonly docsDir?: string } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    cwd: options.cwd ?? repoRoot(),
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
    ...(options.docsDir !== undefined ? { docsDir: options.docsDir } : {}),
  });
  return { code, stdout, stderr };
}

/** Every rule fixture (`test/rules/<rule>/(in)valid-*.yaml|json`), relative to the repo root. */
export function ruleFixtures(): string[] {
  const root = path.join(repoRoot(), 'test', 'rules');
  const out: string[] = [];
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const name of readdirSync(path.join(root, dir.name))) {
      if (/^(valid|invalid)-.+\.(ya?ml|json)$/.test(name))
        out.push(`test/rules/${dir.name}/${name}`);
    }
  }
  return out.sort();
}

/** Every example configuration under examples/, relative to the repo root. */
export function exampleFiles(): string[] {
  const root = path.join(repoRoot(), 'examples');
  let names: string[];
  try {
    names = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.relay\.(ya?ml|json)$/.test(n))
    .map((n) => `examples/${n.split(path.sep).join('/')}`)
    .sort();
}

/** A draft-07 validator (Ajv's default class) with the standard formats. */
export function compileSchema(file: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const schema = JSON.parse(readFileSync(file, 'utf8')) as object;
  return ajv.compile(schema);
}

export function errorsOf(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
}

/** A configuration no rule objects to. */
export const CLEAN = [
  'version: 1',
  'servers:',
  '  - name: SMTP-APP',
  '    listeners:',
  '      - name: Default',
  '        authentication:',
  '          anonymous: false',
  '          integratedWindows: true',
  '        relay:',
  '          mode: onlyList',
  '          list: [10.20.0.25]',
  '',
].join('\n');
