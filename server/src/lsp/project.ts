import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isIncluded, lintConfigFor } from '../core/config/project-config.js';
import type { LintConfig } from '../core/lint-config.js';
import type { SourceInput } from '../core/lint-source.js';
import type { Rule } from '../core/rule.js';
import { siblingsOf } from '../host/siblings.js';
import {
  clearConfigCache,
  resolveConfigFor,
  type ResolvedConfig,
  toPosixRelative,
} from '../host/config-discovery.js';

/** What the project configuration says about one document. */
export interface ProjectContext {
  /** Absolute file system path of the document. */
  readonly file: string;
  readonly resolved: ResolvedConfig;
  /** Whether the configuration's `files`/`ignore` make it a relay configuration file. */
  readonly included: boolean;
  readonly lintConfig: LintConfig;
  /** Path used in fingerprints: relative to the workspace folder (or the config's folder). */
  readonly fingerprintPath: string;
  /** URI of the `.relay-lint.yaml` in force, if any. */
  readonly configUri?: string;
  /** Path relative to the configuration's folder, for its overrides. */
  readonly relPath: string;
}

/** What the one lint path (`core/lint-source.ts`) needs to lint an open document. */
export function sourceInput(
  project: ProjectContext,
  uri: string,
  text: string,
  rules?: readonly Rule[],
): SourceInput {
  return {
    uri,
    text,
    project: project.resolved.loaded.config,
    relPath: project.relPath,
    fingerprintPath: project.fingerprintPath,
    siblings: siblingsOf(project.file),
    ...(rules !== undefined ? { rules } : {}),
  };
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}

/**
 * The workspace folders and the `.relay-lint.yaml` discovery of the CLI
 * (`host/config-discovery`), with a workspace folder as the place where the search stops.
 */
export class Workspace {
  private folders: string[] = [];

  setFolders(uris: readonly string[]): void {
    this.folders = uris.flatMap((u) => {
      const p = uriToPath(u);
      return p === undefined ? [] : [path.resolve(p)];
    });
  }

  addFolders(uris: readonly string[]): void {
    this.setFolders([...this.folders.map(pathToUri), ...uris]);
  }

  removeFolders(uris: readonly string[]): void {
    const gone = new Set(uris.flatMap((u) => uriToPath(u) ?? []).map((p) => path.resolve(p)));
    this.folders = this.folders.filter((f) => !gone.has(f));
  }

  /** The workspace folders, as absolute paths. */
  get folderPaths(): readonly string[] {
    return this.folders;
  }

  /** The innermost workspace folder holding `file`. */
  folderOf(file: string): string | undefined {
    let best: string | undefined;
    for (const f of this.folders) {
      const rel = path.relative(f, file);
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
      if (best === undefined || f.length > best.length) best = f;
    }
    return best;
  }

  /** The configuration of a document; undefined for documents that are not files. */
  contextFor(uri: string): ProjectContext | undefined {
    const raw = uriToPath(uri);
    if (raw === undefined) return undefined;
    const file = path.resolve(raw);
    const folder = this.folderOf(file);
    const resolved = resolveConfigFor(path.dirname(file), folder);
    const rel = toPosixRelative(resolved.baseDir, file);
    const config = resolved.loaded.config;
    return {
      file,
      resolved,
      included: isIncluded(config, rel),
      lintConfig: lintConfigFor(config, rel),
      fingerprintPath: toPosixRelative(folder ?? resolved.baseDir, file),
      relPath: rel,
      ...(resolved.file !== undefined ? { configUri: pathToUri(resolved.file) } : {}),
    };
  }

  /** Forgets cached configuration files (after `.relay-lint.yaml` changed on disk). */
  invalidate(): void {
    clearConfigCache();
  }
}
