import { accessSync, constants, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { CONFIG_FILE_NAME } from '../core/config/project-config.js';
import { errorMessage } from '../core/errors.js';

export interface WalkOptions {
  readonly include: readonly string[];
  readonly ignore: readonly string[];
  /** Folder the globs are relative to. */
  readonly base: string;
}

export interface WalkResult {
  readonly files: string[];
  /** Folders or links that could not be read, with the reason. */
  readonly errors: { readonly path: string; readonly reason: string }[];
}

const SKIP = new Set(['node_modules', '.git']);

/**
 * Lists relay files under `root`, skipping node_modules, .git and `.relay-lint.yaml` itself.
 * Symbolic links to folders are not followed (no loops, nothing outside the tree); links to
 * files are followed only when the target stays inside `root`.
 */
export function walk(root: string, options: WalkOptions): WalkResult {
  const include = picomatch([...options.include], { dot: true });
  const ignore =
    options.ignore.length > 0 ? picomatch([...options.ignore], { dot: true }) : () => false;
  const files: string[] = [];
  const errors: { path: string; reason: string }[] = [];
  const realRoot = safeRealpath(root) ?? root;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      errors.push({ path: dir, reason: reasonOf(error) });
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(options.base, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name) && !ignore(rel) && !ignore(`${rel}/`)) stack.push(full);
        continue;
      }
      // The configuration is never a relay file, whatever `files` says (`files: ['**']`).
      if (entry.name === CONFIG_FILE_NAME || !include(rel) || ignore(rel)) continue;
      if (entry.isSymbolicLink()) {
        const target = safeRealpath(full);
        if (target === undefined || !isInside(realRoot, target) || !isFile(target)) continue;
      } else if (!entry.isFile()) continue;
      files.push(full);
    }
  }
  files.sort();
  return { files, errors };
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function safeRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

export function reasonOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = String(error.code);
    const map: Record<string, string> = {
      ENOENT: 'no such file or folder',
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      EISDIR: 'is a folder',
      ENOTDIR: 'not a folder',
      ELOOP: 'too many levels of symbolic links',
      ENOSPC: 'no space left on device',
      EDQUOT: 'disk quota exceeded',
      EROFS: 'read-only file system',
      EBUSY: 'resource busy',
    };
    return map[code] ?? code;
  }
  return errorMessage(error);
}

/**
 * Why a path named on the command line cannot be linted at all, or undefined when it exists:
 * the reason of the error (`no such file or folder`, `too many levels of symbolic links` for a
 * link loop, `permission denied`), never a guess. `existsSync` says only "false".
 */
export function pathProblem(p: string): string | undefined {
  try {
    statSync(p);
    return undefined;
  } catch (error) {
    return reasonOf(error);
  }
}

/**
 * Why the report cannot be written to `file` (`--output`), or undefined when it can: checked
 * before any file is fixed, so that a bad `--output` never ends a run that already rewrote files.
 */
export function outputProblem(file: string): string | undefined {
  try {
    if (statSync(file).isDirectory()) return 'it is a folder';
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') return reasonOf(error);
  }
  const dir = path.dirname(file);
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a folder`;
    accessSync(dir, constants.W_OK);
  } catch (error) {
    return `its folder ${dir}: ${reasonOf(error)}`;
  }
  return undefined;
}

export function isDirectory(p: string): boolean {
  try {
    return lstatSync(p).isDirectory() || statSync(p).isDirectory();
  } catch {
    return false;
  }
}
