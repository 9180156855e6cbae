/**
 * Postfix's logical-line reader (util/readlline.c), shared by main.cf and master.cf, with the
 * file offset of every character kept.
 *
 * Postfix splits physical lines at `\n` only (a `\r` is whitespace). A physical line whose first
 * character is whitespace continues the previous logical line; comment lines (`#` as first
 * non-blank) and blank lines are dropped and do NOT end a logical line. Continuation text is
 * appended without the line break. A logical line that starts with whitespace (nothing before
 * it) is skipped with a warning.
 */
import type { Comment, Problem, Span } from '../../model.js';
import type { Segment } from './model.js';

export interface LogicalLine {
  /** The logical line as Postfix reads it. */
  readonly text: string;
  readonly segments: readonly Segment[];
  /** From the start of its first physical line to the end of its last one (line break included). */
  readonly span: Span;
  /** Span of the first physical line, without its line break. */
  readonly firstLine: Span;
}

export interface LineScan {
  readonly lines: readonly LogicalLine[];
  readonly comments: readonly Comment[];
  readonly warnings: readonly Problem[];
}

/** The warning for indented text before the first logical line (readlline() skips it). */
export const ORPHAN_LINE = 'A logical line must not start with whitespace: Postfix skips it.';

/** Postfix ISSPACE: the C locale's isspace. */
export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}

/** Maps a half-open range of a logical value to the file; empty ranges map to a point. */
export function mapSpan(segments: readonly Segment[], start: number, end: number): Span {
  const s = mapOffset(segments, start);
  if (end <= start) return { start: s, end: s };
  const e = mapOffset(segments, end - 1) + 1;
  return { start: s, end: Math.max(e, s) };
}

/** File offset of logical offset `at` (the end of the last segment when past it). */
export function mapOffset(segments: readonly Segment[], at: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segments[mid]?.valueOffset ?? 0) <= at) lo = mid;
    else hi = mid - 1;
  }
  const seg = segments[lo] as Segment;
  const rel = Math.min(Math.max(at - seg.valueOffset, 0), seg.length);
  return seg.fileOffset + rel;
}

/** Sub-segments for logical range [start, end), re-based to 0. */
export function sliceSegments(segments: readonly Segment[], start: number, end: number): Segment[] {
  const out: Segment[] = [];
  for (const seg of segments) {
    const a = Math.max(seg.valueOffset, start);
    const b = Math.min(seg.valueOffset + seg.length, end);
    if (b > a) {
      out.push({
        valueOffset: a - start,
        fileOffset: seg.fileOffset + (a - seg.valueOffset),
        length: b - a,
      });
    }
  }
  if (out.length === 0) {
    out.push({ valueOffset: 0, fileOffset: mapOffset(segments, start), length: 0 });
  }
  return out;
}

/** Reads logical lines from `text` as Postfix does; `text` may hold template placeholders. */
export function scanLines(text: string): LineScan {
  const lines: LogicalLine[] = [];
  const comments: Comment[] = [];
  const warnings: Problem[] = [];
  let cur:
    | { text: string; segments: Segment[]; len: number; start: number; end: number; first: Span }
    | undefined;
  let orphan: Span | undefined;
  let lineNo = 0;
  let pos = 0;
  const flush = (): void => {
    if (cur !== undefined) {
      lines.push({
        text: cur.text,
        segments: cur.segments,
        span: { start: cur.start, end: cur.end },
        firstLine: cur.first,
      });
      cur = undefined;
    }
    if (orphan !== undefined) {
      warnings.push({
        message: ORPHAN_LINE,
        span: orphan,
      });
      orphan = undefined;
    }
  };
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const ls = pos;
    const le = nl < 0 ? text.length : nl;
    const next = nl < 0 ? text.length + 1 : nl + 1;
    if (nl < 0 && ls === text.length) break;
    let k = ls;
    while (k < le && isSpace(text[k])) k++;
    if (k === le) {
      // Blank line: dropped, does not end the logical line.
    } else if (text[k] === '#') {
      let ce = le;
      if (ce > k && text[ce - 1] === '\r') ce--;
      comments.push({
        text: text.slice(k + 1, ce),
        span: { start: k, end: ce },
        line: lineNo,
        trailing: false,
      });
    } else if (isSpace(text[ls])) {
      if (cur !== undefined) {
        cur.segments.push({ valueOffset: cur.len, fileOffset: ls, length: le - ls });
        cur.text += text.slice(ls, le);
        cur.len += le - ls;
        cur.end = Math.min(next, text.length);
      } else if (orphan !== undefined) {
        orphan = { start: orphan.start, end: le };
      } else {
        orphan = { start: k, end: le };
      }
    } else {
      flush();
      cur = {
        text: text.slice(ls, le),
        segments: [{ valueOffset: 0, fileOffset: ls, length: le - ls }],
        len: le - ls,
        start: ls,
        end: Math.min(next, text.length),
        first: { start: ls, end: le > ls && text[le - 1] === '\r' ? le - 1 : le },
      };
    }
    pos = next;
    lineNo++;
  }
  flush();
  return { lines, comments, warnings };
}

/** Private-use character standing in for each character of a template expression. */
export const TEMPLATE_CHAR = '\uE000';

export interface TemplateScan {
  /** The text with `{{ }}` replaced by TEMPLATE_CHAR runs and `{% %}` / `{# #}` by blanks. */
  readonly text: string;
  /** Spans of the `{{ … }}` expressions (unknown values). */
  readonly expressions: readonly Span[];
  readonly found: boolean;
}

/**
 * Neutralises Jinja syntax without moving any offset: an expression becomes one unknown token, a
 * statement or comment becomes blanks (a line holding only one is then a blank line).
 */
export function neutraliseTemplate(text: string): TemplateScan {
  const expressions: Span[] = [];
  let out = '';
  let last = 0;
  let found = false;
  const re = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    found = true;
    const s = m.index;
    const e = s + m[0].length;
    out += text.slice(last, s);
    if (m[0].startsWith('{{')) {
      expressions.push({ start: s, end: e });
      out += m[0].replace(/[^\n]/g, TEMPLATE_CHAR);
    } else {
      // Keep line breaks so that line structure and offsets stay put.
      out += m[0].replace(/[^\n]/g, ' ');
    }
    last = e;
  }
  out += text.slice(last);
  return { text: found ? out : text, expressions, found };
}
