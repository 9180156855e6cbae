import type { Span } from '../core/model.js';

/**
 * Where the cursor is in a Postfix file, for hover and completion. A light reading of the
 * syntax (postconf(5)): a logical line starts with non-blank text, a line that starts with
 * whitespace continues it, and blank and comment lines (`#` as the first non-blank character)
 * are skipped without ending it. The adapter's parser decides what the file means; this only
 * finds the parameter or service line under the cursor.
 */
export interface LogicalLine {
  /** Offset of the first character of the logical line (its head line's start). */
  readonly start: number;
  /** Offset after the last character of its last physical line (without the line break). */
  readonly end: number;
  /** The head line's text. */
  readonly head: string;
}

interface PhysicalLine {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function lineAt(text: string, offset: number): PhysicalLine {
  let start = Math.min(Math.max(offset, 0), text.length);
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let end = start;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  return { start, end, text: text.slice(start, end) };
}

function previousLine(text: string, line: PhysicalLine): PhysicalLine | undefined {
  if (line.start === 0) return undefined;
  let cut = line.start - 1;
  if (text[cut] === '\n' && cut > 0 && text[cut - 1] === '\r') cut--;
  return lineAt(text, cut);
}

function nextLine(text: string, line: PhysicalLine): PhysicalLine | undefined {
  if (line.end >= text.length) return undefined;
  const next = text[line.end] === '\r' && text[line.end + 1] === '\n' ? line.end + 2 : line.end + 1;
  return lineAt(text, next);
}

const skipped = (l: PhysicalLine): boolean => /^\s*(#|$)/.test(l.text);
const continues = (l: PhysicalLine): boolean => /^[ \t]/.test(l.text) && !skipped(l);

/** The logical line the offset is on; undefined on a comment or blank line. */
export function logicalLineAt(text: string, offset: number): LogicalLine | undefined {
  const here = lineAt(text, offset);
  if (skipped(here)) return undefined;
  let head: PhysicalLine | undefined = here;
  // Up to 10,000 lines back: a pathological file must not make a hover walk the whole text.
  for (let i = 0; head !== undefined && continues(head) && i < 10_000; i++) {
    let prev = previousLine(text, head);
    while (prev !== undefined && skipped(prev)) prev = previousLine(text, prev);
    head = prev;
  }
  if (head === undefined || continues(head)) return undefined;
  let last = here;
  for (let next = nextLine(text, last), i = 0; next !== undefined && i < 10_000; i++) {
    if (continues(next)) last = next;
    else if (!skipped(next)) break;
    next = nextLine(text, next);
  }
  return { start: head.start, end: last.end, head: head.text };
}

export interface MainCfParameter {
  readonly name: string;
  readonly nameSpan: Span;
  /** Offset just after the `=`. */
  readonly valueStart: number;
  readonly line: LogicalLine;
}

/** The `name = value` definition the offset is in (main.cf). */
export function mainCfParameterAt(text: string, offset: number): MainCfParameter | undefined {
  const line = logicalLineAt(text, offset);
  if (line === undefined) return undefined;
  const m = /^([A-Za-z0-9_.-]+)[ \t]*=/.exec(line.head);
  if (m?.[1] === undefined) return undefined;
  return {
    name: m[1],
    nameSpan: { start: line.start, end: line.start + m[1].length },
    valueStart: line.start + m[0].length,
    line,
  };
}

export interface MasterCfService {
  /** The service field (`smtp`, `submission`, `127.0.0.1:10025`). */
  readonly service: string;
  readonly serviceSpan: Span;
  readonly type: string;
  /** The command (eighth field), when the line has one. */
  readonly command?: string;
  readonly line: LogicalLine;
}

/** The service entry the offset is in (master.cf). */
export function masterCfServiceAt(text: string, offset: number): MasterCfService | undefined {
  const line = logicalLineAt(text, offset);
  if (line === undefined) return undefined;
  const fields = line.head.split(/[ \t]+/).filter((f) => f !== '');
  const [service, type] = fields;
  if (service === undefined || type === undefined) return undefined;
  return {
    service,
    serviceSpan: { start: line.start, end: line.start + service.length },
    type,
    ...(fields[7] !== undefined ? { command: fields[7] } : {}),
    line,
  };
}

/** The `-o name=value` override the offset is in, on its physical line (master.cf). */
export function masterCfOverrideAt(
  text: string,
  offset: number,
): { name: string; nameSpan: Span; valueStart: number } | undefined {
  const line = lineAt(text, offset);
  const re = /(?:^|[ \t])-o[ \t]+([A-Za-z0-9_.-]+)=/g;
  let found: { name: string; nameSpan: Span; valueStart: number } | undefined;
  for (let m = re.exec(line.text); m !== null; m = re.exec(line.text)) {
    const name = m[1] ?? '';
    const nameStart = line.start + m.index + m[0].length - name.length - 1;
    if (nameStart > offset) break;
    found = {
      name,
      nameSpan: { start: nameStart, end: nameStart + name.length },
      valueStart: line.start + m.index + m[0].length,
    };
  }
  return found;
}
