import path from 'node:path';
import { lintSource, type SourceInput } from '../core/lint-source.js';
import type { FileResult } from '../core/report/result.js';
import { type ResolvedConfig, toPosixRelative } from './config-discovery.js';
import { readTextFile, siblingsOf } from './siblings.js';

/**
 * What the one lint path needs to lint a file on disk: its configuration, its paths as reports
 * show them, and the files beside it (a Postfix instance is main.cf plus master.cf).
 */
export function sourceInputFor(
  file: string,
  cwd: string,
  resolved: ResolvedConfig,
  text: string,
): SourceInput {
  return {
    uri: toPosixRelative(cwd, file),
    text,
    project: resolved.loaded.config,
    relPath: toPosixRelative(resolved.baseDir, path.resolve(file)),
    fingerprintPath: toPosixRelative(cwd, file),
    siblings: siblingsOf(file),
  };
}

/** Reads and lints one file from disk; reading errors surface to the caller. */
export function lintPath(
  file: string,
  cwd: string,
  resolved: ResolvedConfig,
  text?: string,
): FileResult {
  const content = text ?? readTextFile(file);
  const input = sourceInputFor(file, cwd, resolved, content);
  const { file: parsed, findings } = lintSource(input);
  return { path: input.uri, file: parsed, findings };
}

/**
 * Drops the syntax trees and comments from a result: reporters need only the text, the line
 * starts and the findings, and a worker then sends a tenth of the data back. Every path slims,
 * so serial, parallel and audit results are the same objects in content.
 */
export function slim(result: FileResult): FileResult {
  return { ...result, file: { ...result.file, documents: [], comments: [] } };
}
