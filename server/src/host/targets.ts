import path from 'node:path';
import { configFindings, isIncluded } from '../core/config/project-config.js';
import type { FileResult } from '../core/report/result.js';
import { type ResolvedConfig, toPosixRelative } from './config-discovery.js';
import { walk } from './files.js';
import type { LintTask } from './lint-task.js';

/**
 * The steps the CLI and the workspace audit share: which files a folder holds, the lint task of
 * each, and the report of a broken `.relay-lint.yaml`. One copy, so the two faces cannot drift.
 */

/** One file to lint and the configuration that governs it. */
export interface Target {
  /** Absolute path. */
  readonly file: string;
  readonly resolved: ResolvedConfig;
}

export interface FoundTargets {
  readonly targets: Target[];
  /** Folders or files that could not be read, with why. */
  readonly errors: { readonly path: string; readonly reason: string }[];
}

/**
 * The files of a folder that its configuration's `files`/`ignore` select, with `extraIgnore`
 * added (the editor's excludes). A nested folder with its own `.relay-lint.yaml` decides for its
 * files: a file the outer globs found but the nested configuration does not include is skipped.
 */
export function targetsIn(
  folder: string,
  configFor: (dir: string) => ResolvedConfig,
  extraIgnore: readonly string[] = [],
): FoundTargets {
  const resolved = configFor(folder);
  const cfg = resolved.loaded.config;
  const found = walk(folder, {
    include: cfg.files,
    ignore: [...cfg.ignore, ...extraIgnore],
    base: resolved.baseDir,
  });
  const targets: Target[] = [];
  for (const file of found.files) {
    const own = configFor(path.dirname(file));
    if (own !== resolved && !isIncluded(own.loaded.config, toPosixRelative(own.baseDir, file)))
      continue;
    targets.push({ file, resolved: own });
  }
  return { targets, errors: found.errors };
}

/** The lint task of a target, as plain data for a worker thread. */
export function taskOf(target: Target, cwd: string, fix: boolean): LintTask {
  return {
    file: target.file,
    cwd,
    config: {
      ...(target.resolved.file !== undefined ? { file: target.resolved.file } : {}),
      baseDir: target.resolved.baseDir,
    },
    fix,
  };
}

/**
 * The findings of a broken `.relay-lint.yaml`, as a file of its own, shown (and fingerprinted)
 * under `display` — the same relative path in the CLI and in the audit.
 */
export function configResult(resolved: ResolvedConfig, display: string): FileResult | undefined {
  if (resolved.file === undefined || resolved.loaded.problems.length === 0) return undefined;
  return {
    path: display,
    file: resolved.loaded.parsed,
    findings: configFindings(resolved.loaded, display),
  };
}

/** Each broken configuration the targets use, once, in first-use order. */
export function configResults(
  targets: readonly Target[],
  display: (file: string) => string,
): FileResult[] {
  const out = new Map<string, FileResult>();
  for (const t of targets) {
    const file = t.resolved.file;
    if (file === undefined || out.has(file)) continue;
    const result = configResult(t.resolved, display(file));
    if (result !== undefined) out.set(file, result);
  }
  return [...out.values()];
}
