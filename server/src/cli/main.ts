import { existsSync, writeFileSync } from 'node:fs';
import { errorMessage } from '../core/errors.js';
import path from 'node:path';
import { severityRank } from '../core/model.js';
import { toJsonReport, TOOL } from '../core/report/json.js';
import { escapeControl } from '../core/report/control.js';
import { toMarkdown } from '../core/report/markdown.js';
import type { FileResult } from '../core/report/result.js';
import { type SarifNotification, toSarif } from '../core/report/sarif.js';
import { toText } from '../core/report/text.js';
import {
  loadConfigFile,
  resolveConfigFor,
  type ResolvedConfig,
  toPosixRelative,
} from '../host/config-discovery.js';
import { isInterrupted } from '../host/atomic-write.js';
import { isDirectory, outputProblem, pathProblem } from '../host/files.js';
import { configResults, type Target, targetsIn, taskOf } from '../host/targets.js';
import { findDocsDir, loadRuleDocs } from '../host/rule-docs.js';
import { type CliOptions, HELP, parseCliArgs, UsageError } from './args.js';
import { type LintOutcome, type LintTask, runLintTask } from '../host/lint-task.js';
import { lintInWorkers, workerCount } from '../host/pool.js';
import { runExplain } from './explain.js';
import { createProgress } from './progress.js';

export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal (colour). */
  readonly isTTY: boolean;
  /** Whether stderr is a terminal (progress line); default false. */
  readonly stderrIsTTY?: boolean;
  /** Folder of the rules' documentation pages for SARIF help; default: found next to the package. */
  readonly docsDir?: string;
}

export const ExitCode = { ok: 0, findings: 1, error: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The CLI as a function: never exits the process, never throws. */
export async function run(argv: readonly string[], rawIo: CliIo): Promise<ExitCode> {
  // Every line on stderr names paths or values from the files: control characters in them (an
  // escape sequence in a file name) are shown escaped, never sent to the terminal raw.
  const io: CliIo = {
    ...rawIo,
    stderr: (text) => {
      rawIo.stderr(escapeLines(text));
    },
  };
  try {
    // `relay-lint explain …` is a command of its own; a folder named "explain" is `./explain`.
    if (argv[0] === 'explain') return runExplain(argv.slice(1), io);
    return await runUnsafe(argv, io, rawIo.stderr);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`relay-lint: ${error.message}\n`);
      return ExitCode.error;
    }
    io.stderr(`relay-lint: internal error: ${errorMessage(error)}\n`);
    return ExitCode.error;
  }
}

/** `progress` writes the progress line (its own control characters) to stderr unescaped. */
async function runUnsafe(
  argv: readonly string[],
  io: CliIo,
  progress: (text: string) => void,
): Promise<ExitCode> {
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
  // Checked before any file is linted or fixed: a bad --output must not end a run that has
  // already rewritten files.
  if (options.output !== undefined) {
    const why = outputProblem(path.resolve(io.cwd, options.output));
    if (why !== undefined)
      throw new UsageError(`cannot write the report to ${options.output}: ${why}`);
  }
  const byDir = new Map<string, ResolvedConfig>();
  const configFor = (dir: string): ResolvedConfig => {
    // As with ESLint's -c, globs of a configuration named on the command line are relative to
    // the working directory (the file may live anywhere, e.g. ci/relay-lint.yaml).
    if (explicit !== undefined) return { ...loadConfigFile(explicit), baseDir: io.cwd };
    let resolved = byDir.get(dir);
    if (resolved === undefined) {
      resolved = resolveConfigFor(dir);
      byDir.set(dir, resolved);
    }
    return resolved;
  };
  const { targets, errors, notes } = collect(options, io.cwd, configFor);
  for (const n of notes) io.stderr(`relay-lint: ${n}\n`);
  for (const e of errors) io.stderr(`relay-lint: ${e}\n`);
  if (errors.length > 0 && targets.length === 0) return ExitCode.error;

  const outcomes = await lintAll(targets, options, io, progress);
  const results: FileResult[] = [];
  const problems: string[] = [...errors];
  for (const o of outcomes) {
    for (const m of o.messages) io.stderr(`relay-lint: ${m}\n`);
    if (o.result !== undefined) {
      results.push(o.result);
      // A file linted but not fixed on disk ("cannot write X: …") fails the run too.
      problems.push(...o.messages.filter((m) => m.startsWith('cannot ')));
    } else problems.push(...o.messages);
  }
  const broken = configResults(targets, (file) => toPosixRelative(io.cwd, file));
  for (const c of broken) {
    // A broken configuration is a configuration error (exit 2), but linting went on with the
    // defaults and the report shows where the file is broken.
    const n = c.findings.length;
    const line = `${c.path} has ${n} ${n === 1 ? 'problem' : 'problems'}; the files it governs were linted with the default configuration`;
    io.stderr(`relay-lint: ${line}\n`);
    problems.push(line);
  }
  results.push(...broken);
  const report = render(options, results, io, problems);
  if (options.output !== undefined) writeFileSync(path.resolve(io.cwd, options.output), report);
  else io.stdout(report);
  if (problems.length > 0) return ExitCode.error;
  return failing(options, results) ? ExitCode.findings : ExitCode.ok;
}

/** Lints every target, on worker threads when the run is large; outcomes keep target order. */
async function lintAll(
  targets: readonly Target[],
  options: CliOptions,
  io: CliIo,
  progressWrite: (text: string) => void,
): Promise<LintOutcome[]> {
  const tasks: LintTask[] = targets.map((t) => taskOf(t, io.cwd, options.fix));
  const progress = createProgress({
    total: tasks.length,
    enabled: io.stderrIsTTY === true,
    write: progressWrite,
  });
  try {
    const workers = workerCount(options.concurrency, tasks.length);
    if (workers > 0)
      return await lintInWorkers(tasks, workers, (done) => {
        progress.update(done);
      });
    const outcomes: LintOutcome[] = [];
    let turn = Date.now();
    for (const [i, task] of tasks.entries()) {
      if (isInterrupted()) break;
      outcomes.push(runLintTask(task, (targets[i] as Target).resolved));
      progress.update(i + 1);
      // Between files, now and then, let a signal be handled (Ctrl-C ends the run there, after
      // cleanTmpFilesOnSignals has removed what a write left): a long serial run stays
      // interruptible.
      if (Date.now() - turn > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        turn = Date.now();
      }
    }
    return outcomes;
  } finally {
    progress.clear();
  }
}

function collect(
  options: CliOptions,
  cwd: string,
  configFor: (dir: string) => ResolvedConfig,
): { targets: Target[]; errors: string[]; notes: string[] } {
  const targets: Target[] = [];
  const errors: string[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const p of options.paths) {
    const abs = path.resolve(cwd, p);
    // The reason itself: "too many levels of symbolic links" for a link loop, not "no such file".
    const why = pathProblem(abs);
    if (why !== undefined) {
      errors.push(`${why}: ${p}`);
      continue;
    }
    if (isDirectory(abs)) {
      const found = targetsIn(abs, configFor);
      for (const e of found.errors)
        errors.push(`cannot read ${toPosixRelative(cwd, e.path) || '.'}: ${e.reason}`);
      // A folder named on the command line that selects nothing is never silently "no problems"
      // (exit 2); for the default `.`, the same line is only a note.
      if (found.targets.length === 0 && found.errors.length === 0) {
        const line = `${p}: no file to lint (${selection(configFor(abs))})`;
        if (options.pathsGiven) errors.push(line);
        else notes.push(line);
      }
      for (const t of found.targets) {
        if (!seen.has(t.file)) targets.push(t);
        seen.add(t.file);
      }
    } else if (!seen.has(abs)) {
      seen.add(abs);
      // A file named on the command line is linted even if the globs would not pick it.
      targets.push({ file: abs, resolved: configFor(path.dirname(abs)) });
    }
  }
  return { targets, errors, notes };
}

/** Which configuration chose no file, for the "no file to lint" message. */
function selection(resolved: ResolvedConfig): string {
  const cfg = resolved.loaded.config;
  const where = resolved.file !== undefined ? resolved.file : 'the default configuration';
  return `files: ${JSON.stringify(cfg.files)}, ignore: ${JSON.stringify(cfg.ignore)} in ${where}`;
}

/** Control characters escaped, line by line (the line breaks between lines are kept). */
function escapeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => escapeControl(line))
    .join('\n');
}

function render(
  options: CliOptions,
  results: FileResult[],
  io: CliIo,
  problems: readonly string[],
): string {
  switch (options.format) {
    case 'json':
      return `${JSON.stringify(toJsonReport(results), null, 2)}\n`;
    case 'text':
      return toText(results, {
        color: options.output === undefined && (options.color ?? io.isTTY),
      });
    case 'sarif': {
      const notifications: SarifNotification[] = problems.map((message) => ({ message }));
      const docs = loadRuleDocs(io.docsDir ?? findDocsDir());
      return `${JSON.stringify(toSarif(results, { docs, notifications }), null, 2)}\n`;
    }
    case 'markdown': {
      // Links are relative to where the report is read: the output file's folder, or here.
      const from =
        options.output !== undefined ? path.dirname(path.resolve(io.cwd, options.output)) : io.cwd;
      return toMarkdown(results, {
        link: (p, line) => `${toPosixRelative(from, path.resolve(io.cwd, p))}#L${line}`,
        notLinted: problems,
      });
    }
  }
}

function failing(options: CliOptions, results: readonly FileResult[]): boolean {
  if (options.failOn === 'never') return false;
  const threshold = severityRank(options.failOn);
  return results.some((r) =>
    r.findings.some((f) => !f.suppressed && severityRank(f.severity) >= threshold),
  );
}
