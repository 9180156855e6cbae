import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configFindings, isIncluded, lintConfigFor } from '../core/config/project-config.js';
import { fixAll } from '../core/fix/fix-all.js';
import { severityRank } from '../core/model.js';
import { toJsonReport, TOOL } from '../core/report/json.js';
import type { FileResult } from '../core/report/result.js';
import { toText } from '../core/report/text.js';
import {
  loadConfigFile,
  resolveConfigFor,
  type ResolvedConfig,
  toPosixRelative,
} from '../host/config-discovery.js';
import { writeFileAtomic } from '../host/atomic-write.js';
import { isDirectory, reasonOf, walk } from '../host/files.js';
import { lintPath } from '../host/lint-file.js';
import { type CliOptions, HELP, parseCliArgs, UsageError } from './args.js';
import { readFileSync } from 'node:fs';

export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTTY: boolean;
}

export const ExitCode = { ok: 0, findings: 1, error: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The CLI as a function: never exits the process, never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  try {
    return await Promise.resolve(runUnsafe(argv, io));
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`relay-lint: ${error.message}\n`);
      return ExitCode.error;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`relay-lint: internal error: ${message}\n`);
    return ExitCode.error;
  }
}

interface Target {
  readonly file: string;
  readonly resolved: ResolvedConfig;
}

function runUnsafe(argv: readonly string[], io: CliIo): ExitCode {
  const options = parseCliArgs(argv);
  if (options.help) {
    io.stdout(HELP);
    return ExitCode.ok;
  }
  if (options.version) {
    io.stdout(`${TOOL.version}\n`);
    return ExitCode.ok;
  }
  const explicit = options.config !== undefined ? path.resolve(io.cwd, options.config) : undefined;
  if (explicit !== undefined && !existsSync(explicit))
    throw new UsageError(`configuration file not found: ${options.config ?? ''}`);
  const configFor = (dir: string): ResolvedConfig =>
    // As with ESLint's -c, globs of a configuration named on the command line are relative to
    // the working directory (the file may live anywhere, e.g. ci/relay-lint.yaml).
    explicit !== undefined
      ? { ...loadConfigFile(explicit), baseDir: io.cwd }
      : resolveConfigFor(dir);
  const { targets, errors } = collect(options, io.cwd, configFor);
  for (const e of errors) io.stderr(`relay-lint: ${e}\n`);
  if (errors.length > 0 && targets.length === 0) return ExitCode.error;

  const results: FileResult[] = [];
  const configResults = new Map<string, FileResult>();
  let readErrors = errors.length;
  for (const t of targets) {
    const cfgFile = t.resolved.file;
    if (
      cfgFile !== undefined &&
      !configResults.has(cfgFile) &&
      t.resolved.loaded.problems.length > 0
    ) {
      configResults.set(cfgFile, {
        path: toPosixRelative(io.cwd, cfgFile),
        file: t.resolved.loaded.parsed,
        findings: configFindings(t.resolved.loaded, toPosixRelative(io.cwd, cfgFile)),
      });
    }
    let text: string;
    try {
      text = readFileSync(t.file, 'utf8');
    } catch (error) {
      io.stderr(`relay-lint: cannot read ${toPosixRelative(io.cwd, t.file)}: ${reasonOf(error)}\n`);
      readErrors++;
      continue;
    }
    if (options.fix) text = applyFixes(t, text, io);
    results.push(lintPath(t.file, io.cwd, t.resolved, text));
  }
  for (const c of configResults.values()) {
    // A broken configuration is a configuration error (exit 2), but linting went on with the
    // defaults and the report shows where the file is broken.
    const n = c.findings.length;
    io.stderr(
      `relay-lint: ${c.path} has ${n} ${n === 1 ? 'problem' : 'problems'}; the files it governs were linted with the default configuration\n`,
    );
    readErrors++;
  }
  results.push(...configResults.values());
  const report = render(options, results, io);
  if (options.output !== undefined) writeFileSync(path.resolve(io.cwd, options.output), report);
  else io.stdout(report);
  if (readErrors > 0) return ExitCode.error;
  return failing(options, results) ? ExitCode.findings : ExitCode.ok;
}

function collect(
  options: CliOptions,
  cwd: string,
  configFor: (dir: string) => ResolvedConfig,
): { targets: Target[]; errors: string[] } {
  const targets: Target[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const p of options.paths) {
    const abs = path.resolve(cwd, p);
    if (!existsSync(abs)) {
      errors.push(`no such file or folder: ${p}`);
      continue;
    }
    if (isDirectory(abs)) {
      const resolved = configFor(abs);
      const cfg = resolved.loaded.config;
      const found = walk(abs, { include: cfg.files, ignore: cfg.ignore, base: resolved.baseDir });
      for (const e of found.errors)
        errors.push(`cannot read ${toPosixRelative(cwd, e.path) || '.'}: ${e.reason}`);
      for (const file of found.files) {
        // A nested folder may have its own configuration; it decides for its files.
        const own = configFor(path.dirname(file));
        const rel = toPosixRelative(own.baseDir, file);
        if (own !== resolved && !isIncluded(own.loaded.config, rel)) continue;
        if (!seen.has(file)) targets.push({ file, resolved: own });
        seen.add(file);
      }
    } else if (!seen.has(abs)) {
      seen.add(abs);
      // A file named on the command line is linted even if the globs would not pick it.
      targets.push({ file: abs, resolved: configFor(path.dirname(abs)) });
    }
  }
  return { targets, errors };
}

function applyFixes(t: Target, text: string, io: CliIo): string {
  const rel = toPosixRelative(io.cwd, t.file);
  const result = fixAll(rel, text, {
    config: lintConfigFor(t.resolved.loaded.config, toPosixRelative(t.resolved.baseDir, t.file)),
    fingerprintPath: rel,
  });
  if (result.text === text) return text;
  writeFileAtomic(t.file, result.text);
  io.stderr(
    `relay-lint: fixed ${result.applied.length} ${result.applied.length === 1 ? 'problem' : 'problems'} in ${rel}\n`,
  );
  return result.text;
}

function render(options: CliOptions, results: FileResult[], io: CliIo): string {
  switch (options.format) {
    case 'json':
      return `${JSON.stringify(toJsonReport(results), null, 2)}\n`;
    case 'text':
      return toText(results, {
        color: options.output === undefined && (options.color ?? io.isTTY),
      });
    case 'sarif':
    case 'markdown':
      throw new UsageError(`--format ${options.format} is not available in this build`);
  }
}

function failing(options: CliOptions, results: readonly FileResult[]): boolean {
  if (options.failOn === 'never') return false;
  const threshold = severityRank(options.failOn);
  return results.some((r) =>
    r.findings.some((f) => !f.suppressed && severityRank(f.severity) >= threshold),
  );
}
