import type { Finding, ParsedFile } from '../model.js';

/** One linted file as the reporters see it. */
export interface FileResult {
  /** Path relative to the working directory, with `/`. */
  readonly path: string;
  readonly file: ParsedFile;
  readonly findings: readonly Finding[];
}

export function sortResults(results: readonly FileResult[]): FileResult[] {
  return [...results].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
