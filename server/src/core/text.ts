import type { Span } from './model.js';

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column in UTF-16 code units. */
  readonly column: number;
}

export function computeLineStarts(text: string): number[] {
  // A byte order mark is not part of the first line: editors hide it, so columns start after it,
  // and an edit from "the start of line 1" keeps it.
  const starts = [text.charCodeAt(0) === 0xfeff ? 1 : 0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      // CRLF counts once; a lone CR is a line break too (as YAML and LSP treat it).
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** 0-based line index of `offset`. */
export function lineOf(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function positionAt(lineStarts: readonly number[], offset: number): Position {
  const line = lineOf(lineStarts, offset);
  return { line: line + 1, column: Math.max(offset - (lineStarts[line] ?? 0), 0) + 1 };
}

export function spanToRange(
  lineStarts: readonly number[],
  span: Span,
): { start: Position; end: Position } {
  return { start: positionAt(lineStarts, span.start), end: positionAt(lineStarts, span.end) };
}
