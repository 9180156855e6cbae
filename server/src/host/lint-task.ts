import { statSync } from 'node:fs';
import { fixAll } from '../core/fix/fix-all.js';
import type { FileResult } from '../core/report/result.js';
import { type ReadStamp, writeFileAtomic } from './atomic-write.js';
import {
  loadConfigFile,
  resolveConfigFor,
  type ResolvedConfig,
  toPosixRelative,
} from './config-discovery.js';
import { reasonOf } from './files.js';
import { lintPath, slim, sourceInputFor } from './lint-file.js';
import { readTextFile } from './siblings.js';

/**
 * One file to lint, as plain data so that it can cross to a worker thread. The configuration is
 * named, not passed: a worker loads it itself (once, then from the loader's cache).
 */
export interface LintTask {
  /** Absolute path of the file. */
  readonly file: string;
  readonly cwd: string;
  /** The governing `.relay-lint.yaml`, or none (defaults) with the folder globs are relative to. */
  readonly config: { readonly file?: string; readonly baseDir: string };
  readonly fix: boolean;
}

export interface LintOutcome {
  /** Undefined when the file could not be read. */
  readonly result?: FileResult;
  /** Lines for stderr (fixes applied, read errors), in order. */
  readonly messages: readonly string[];
}

/** The configuration a task names, loaded the same way on the main thread and in workers. */
export function resolveTaskConfig(task: LintTask): ResolvedConfig {
  return task.config.file !== undefined
    ? { ...loadConfigFile(task.config.file), baseDir: task.config.baseDir }
    : resolveConfigFor(task.config.baseDir, task.config.baseDir);
}

/** Reads, optionally fixes (atomic write), and lints one file. Never throws for I/O errors. */
export function runLintTask(task: LintTask, resolved: ResolvedConfig): LintOutcome {
  const rel = toPosixRelative(task.cwd, task.file);
  const messages: string[] = [];
  let text: string;
  let stamp: ReadStamp;
  try {
    // A FIFO, socket or device named on the command line would block the read or never end.
    const st = statSync(task.file);
    if (!st.isFile()) return { messages: [`cannot read ${rel}: not a regular file`] };
    // What the file looked like when read: --fix does not overwrite an edit made meanwhile.
    stamp = { size: st.size, mtimeMs: st.mtimeMs };
    text = readTextFile(task.file);
  } catch (error) {
    return { messages: [`cannot read ${rel}: ${reasonOf(error)}`] };
  }
  if (task.fix) {
    const fixed = fixAll(sourceInputFor(task.file, task.cwd, resolved, text));
    if (fixed.text !== text) {
      try {
        writeFileAtomic(task.file, fixed.text, { expect: stamp });
        const n = fixed.applied.length;
        messages.push(`fixed ${n} ${n === 1 ? 'problem' : 'problems'} in ${rel}`);
        text = fixed.text;
      } catch (error) {
        // The file on disk is unchanged: report what is there, say why, and go on with the
        // next file (main.ts counts a "cannot …" message as a problem: exit 2 at the end).
        messages.push(`cannot write ${rel}: ${reasonOf(error)}`);
      }
    }
  }
  return { result: slim(lintPath(task.file, task.cwd, resolved, text)), messages };
}
