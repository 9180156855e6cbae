import type { ParsedFile, Problem } from '../model.js';
import { computeLineStarts } from '../text.js';
import { findComments } from './comments.js';
import { jsonDepthExcess, yamlDepthExcess } from './depth.js';
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
  const refusal = refuse(text, options.maxFileSize ?? LIMITS.maxFileSize) ?? tooDeep(text, format);
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
  return { ...base, documents, problems: capped(parsed.problems), comments };
}

/**
 * Both parsers recurse once per nesting level and overflow the stack (or, for yaml, slow down
 * quadratically) thousands of levels down; a linear pre-scan refuses such files first.
 */
function tooDeep(text: string, format: Format): Problem | undefined {
  const excess =
    format === 'json'
      ? jsonDepthExcess(text, LIMITS.maxDepth)
      : yamlDepthExcess(text, LIMITS.maxDepth);
  if (excess === undefined) return undefined;
  return {
    message: `The document nests deeper than ${LIMITS.maxDepth} levels; it is not analysed.`,
    span: { start: excess.offset, end: excess.offset + 1 },
  };
}

/**
 * The first problems in file order, and one that counts the rest: a file of stray brackets makes
 * the parser report one problem per character, which no reader (and no editor) wants.
 */
function capped(problems: readonly Problem[]): readonly Problem[] {
  if (problems.length <= LIMITS.maxProblems) return problems;
  const sorted = [...problems].sort((a, b) => a.span.start - b.span.start);
  const shown = sorted.slice(0, LIMITS.maxProblems);
  const next = sorted[LIMITS.maxProblems];
  const more = problems.length - shown.length;
  const at = next?.span ?? { start: 0, end: 0 };
  return [
    ...shown,
    {
      message: `${more.toLocaleString('en-US')} more syntax ${more === 1 ? 'error follows' : 'errors follow'}; fix the ones above first.`,
      span: at,
    },
  ];
}

function mebibytes(n: number): string {
  const mib = n / 1024 / 1024;
  return `${Number.isInteger(mib) ? String(mib) : mib.toFixed(1)} MiB`;
}

/** Files that are not text, or too large to lint interactively, get one clear problem. */
export function refuse(text: string, maxSize: number = LIMITS.maxFileSize): Problem | undefined {
  if (text.length > maxSize) {
    return {
      message: `The file has ${text.length.toLocaleString('en-US')} characters (${mebibytes(text.length)}), over the limit of ${maxSize.toLocaleString('en-US')} (${mebibytes(maxSize)}) for relay configurations; it is not analysed.`,
      span: { start: 0, end: 0 },
    };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return {
      message: 'The file contains NUL bytes: it looks binary, not a configuration file.',
      span: { start: nul, end: nul + 1 },
    };
  }
  // Invalid UTF-8 is found by the host's strict decoder (host/read-text.ts), where the bytes
  // are: U+FFFD in a text is a character like any other, and a valid file may contain it.
  return undefined;
}
