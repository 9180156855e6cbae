import type { ParsedFile, Problem } from '../model.js';
import { computeLineStarts } from '../text.js';
import { findComments } from './comments.js';
import { parseJson } from './json.js';
import { LIMITS } from './limits.js';
import { parseYaml } from './yaml.js';

export type Format = 'yaml' | 'json';

export function formatOf(uri: string): Format {
  return /\.json$/i.test(uri) ? 'json' : 'yaml';
}

export interface ParseOptions {
  readonly maxFileSize?: number;
}

/** Parses a relay configuration file; never throws. */
export function parseConfig(
  uri: string,
  text: string,
  format: Format = formatOf(uri),
  options: ParseOptions = {},
): ParsedFile {
  const lineStarts = computeLineStarts(text);
  const base = { uri, format, text, lineStarts };
  const refusal = refuse(text, options.maxFileSize ?? LIMITS.maxFileSize);
  if (refusal !== undefined) return { ...base, documents: [], problems: [refusal], comments: [] };
  const parsed = format === 'json' ? parseJson(text) : parseYaml(text);
  const documents =
    parsed.documents.length > 0
      ? parsed.documents
      : [{ index: 0, span: { start: 0, end: text.length }, root: undefined }];
  const comments =
    format === 'yaml'
      ? findComments(
          text,
          documents.map((d) => d.root),
          lineStarts,
        )
      : [];
  return { ...base, documents, problems: parsed.problems, comments };
}

/** Files that are not text, or too large to lint interactively, get one clear problem. */
function refuse(text: string, maxSize: number): Problem | undefined {
  if (text.length > maxSize) {
    const mb = (maxSize / 1024 / 1024).toFixed(0);
    return {
      message: `The file is ${(text.length / 1024 / 1024).toFixed(1)} MB, over the ${mb} MB limit for relay configurations; it is not analysed.`,
      span: { start: 0, end: 0 },
    };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return {
      message: 'The file contains NUL bytes: it looks binary, not YAML or JSON.',
      span: { start: nul, end: nul + 1 },
    };
  }
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    return {
      message: 'The file is not valid UTF-8 (a byte sequence could not be decoded).',
      span: { start: bad, end: bad + 1 },
    };
  }
  return undefined;
}
