import type { ParsedFile } from '../../model.js';
import type { ExchangeExport } from './export.js';
import type { Served } from './selection.js';
import type { ModelTree } from './view.js';

/** What the Exchange reader keeps about a parsed export, beside the model tree. */
export interface ExchangeData {
  readonly export: ExchangeExport;
  readonly served: readonly Served[];
  readonly tree: ModelTree;
}

const DATA = new WeakMap<object, ExchangeData>();

/** Remembers the data of a parsed file (by the file and by its model root). */
export function rememberExchangeData(file: ParsedFile, data: ExchangeData): void {
  DATA.set(file, data);
  const root = file.documents[0]?.root;
  if (root !== undefined) DATA.set(root, data);
}

/** The parsed export behind a file the Exchange format produced, or undefined for any other file. */
export function exchangeDataOf(file: ParsedFile): ExchangeData | undefined {
  if (file.format !== 'exchange') return undefined;
  // Keyed by the file and by its model root, so a host's shallow copy of the file still finds it.
  return DATA.get(file) ?? DATA.get(file.documents[0]?.root ?? {});
}
