import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lintConfigFor } from '../core/config/project-config.js';
import { lint } from '../core/engine.js';
import { parseConfig } from '../core/parse/index.js';
import type { FileResult } from '../core/report/result.js';
import { type ResolvedConfig, toPosixRelative } from './config-discovery.js';

/** Reads and lints one file from disk; reading errors surface to the caller. */
export function lintPath(
  file: string,
  cwd: string,
  resolved: ResolvedConfig,
  text?: string,
): FileResult {
  const content = text ?? readFileSync(file, 'utf8');
  const rel = toPosixRelative(cwd, file);
  const config = resolved.loaded.config;
  const parsed = parseConfig(
    rel,
    content,
    undefined,
    config.maxFileBytes !== undefined ? { maxFileSize: config.maxFileBytes } : {},
  );
  const findings = lint(parsed, {
    config: lintConfigFor(config, toPosixRelative(resolved.baseDir, path.resolve(file))),
    fingerprintPath: rel,
  });
  return { path: rel, file: parsed, findings };
}
