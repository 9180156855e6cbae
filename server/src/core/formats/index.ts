import type { ParsedFile } from '../model.js';
import { exchangeFormat } from './exchange/format.js';
import { iisFormat } from './iis/format.js';
import { postfixFormat, postfixMasterFormat } from './postfix/format.js';
import type { NativeFormat } from './types.js';

/**
 * The native formats, asked in order. A format joins by one line here (and its product rules
 * by one line each in rules/index.ts); nothing else in the lint path changes.
 */
export const NATIVE_FORMATS: readonly NativeFormat[] = [
  postfixFormat,
  postfixMasterFormat,
  iisFormat,
  exchangeFormat,
];

/** The native format a path names, or undefined for the relay model (`*.relay.yaml` …). */
export function nativeFormatForPath(uri: string): NativeFormat | undefined {
  const name = baseName(uri);
  // The relay model's own names win: a `*.relay.json` is never read as an export.
  if (/\.relay\.(ya?ml|json)$/i.test(name)) return undefined;
  return NATIVE_FORMATS.find((f) => f.matchesPath(name));
}

/**
 * The native format of a file by name, else by content (an Exchange export under any `.json`
 * name), else undefined: the relay model.
 */
export function nativeFormatFor(uri: string, text: string): NativeFormat | undefined {
  const byPath = nativeFormatForPath(uri);
  if (byPath !== undefined) return byPath;
  const name = baseName(uri);
  if (/\.relay\.(ya?ml|json)$/i.test(name)) return undefined;
  return NATIVE_FORMATS.find((f) => f.sniff?.(text) === true);
}

export function nativeFormatByTag(tag: ParsedFile['format']): NativeFormat | undefined {
  if (tag === 'yaml' || tag === 'json') return undefined;
  return NATIVE_FORMATS.find((f) => f.fileFormat === tag);
}

function baseName(uri: string): string {
  const cut = Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('\\'));
  return uri.slice(cut + 1);
}
