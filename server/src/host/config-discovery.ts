import { statSync } from 'node:fs';
import path from 'node:path';
import {
  CONFIG_FILE_NAME,
  DEFAULT_CONFIG,
  type LoadedConfig,
  loadProjectConfig,
} from '../core/config/project-config.js';
import { errorMessage } from '../core/errors.js';
import { parseConfig } from '../core/parse/index.js';
import { readUtf8File } from './read-text.js';

export interface ResolvedConfig {
  /** The configuration file used, or undefined for the defaults. */
  readonly file?: string;
  /** Folder that globs and override patterns are relative to. */
  readonly baseDir: string;
  readonly loaded: LoadedConfig;
}

/**
 * Finds the `.relay-lint.yaml` that governs `dir`: the nearest one in `dir` or an ancestor.
 * Configurations do not merge, so the nearest file wins; `root: true` only documents that the
 * search stops there. The search also stops at `stopAt` (a workspace folder) when given.
 */
export function findConfigFile(dir: string, stopAt?: string): string | undefined {
  let current = path.resolve(dir);
  const stop = stopAt !== undefined ? path.resolve(stopAt) : undefined;
  for (;;) {
    const candidate = path.join(current, CONFIG_FILE_NAME);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here: keep walking up.
    }
    const parent = path.dirname(current);
    if (parent === current || current === stop) return undefined;
    current = parent;
  }
}

const cache = new Map<string, { mtimeMs: number; size: number; resolved: ResolvedConfig }>();

/** Loads a configuration file (cached by mtime); an unreadable file is itself a problem. */
export function loadConfigFile(file: string): ResolvedConfig {
  const baseDir = path.dirname(file);
  let stat;
  try {
    stat = statSync(file);
    const hit = cache.get(file);
    if (hit !== undefined && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size)
      return hit.resolved;
    const text = readUtf8File(file);
    const resolved = { file, baseDir, loaded: loadProjectConfig(file, text) };
    cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, resolved });
    return resolved;
  } catch (error) {
    const reason = errorMessage(error);
    return {
      file,
      baseDir,
      loaded: {
        config: DEFAULT_CONFIG,
        problems: [
          {
            ruleId: 'RLY099',
            message: `${CONFIG_FILE_NAME} cannot be read (${reason}); the default configuration is used.`,
            span: { start: 0, end: 0 },
          },
        ],
        parsed: parseConfig(file, '', 'yaml'),
      },
    };
  }
}

export function resolveConfigFor(dir: string, stopAt?: string): ResolvedConfig {
  const file = findConfigFile(dir, stopAt);
  if (file === undefined) return { baseDir: stopAt ?? dir, loaded: defaults() };
  return loadConfigFile(file);
}

let defaultLoaded: LoadedConfig | undefined;

/** The defaults, parsed once: an audit resolves the configuration of thousands of files. */
function defaults(): LoadedConfig {
  defaultLoaded ??= {
    config: DEFAULT_CONFIG,
    problems: [],
    parsed: parseConfig(CONFIG_FILE_NAME, '', 'yaml'),
  };
  return defaultLoaded;
}

export function clearConfigCache(): void {
  cache.clear();
}

/** Path relative to `base` with `/`, for globs, output and fingerprints. */
export function toPosixRelative(base: string, file: string): string {
  return path.relative(base, file).split(path.sep).join('/');
}
