/**
 * main.cf parser: `parseMainCf(text, options?) → MainCf`.
 *
 * Reads the file as Postfix does (lines.ts for logical lines; util/split_nameval.c for
 * `name = value`): the name runs to the first blank or `=`, blanks around `=` and at the end of
 * the value are dropped. A logical line without `=` makes Postfix refuse to start (a problem).
 * A later definition wins; every definition is kept for RLY067.
 */
import type { Comment, Problem, Span } from '../../model.js';
import { isSpace, mapSpan, neutraliseTemplate, scanLines, sliceSegments } from './lines.js';
import { splitItems } from './expand.js';
import type { MainCf, PfFileKind, PfItem, PfParamDef, Segment } from './model.js';

export interface ParseOptions {
  /** Read Jinja syntax (`*.j2`); undefined = detect `{{` / `{%` in the text. */
  readonly template?: boolean;
}

/** True when the text looks binary (NUL bytes near the start). */
export function looksBinary(text: string): boolean {
  return text.slice(0, 65536).includes('\u0000');
}

export function parseMainCf(text: string, options: ParseOptions = {}): MainCf {
  if (looksBinary(text)) {
    return {
      text,
      defs: [],
      params: new Map(),
      comments: [],
      problems: [
        {
          message: 'This is not a text file (it holds NUL bytes): it is not a Postfix main.cf.',
          span: firstLineSpan(text),
        },
      ],
      warnings: [],
      template: false,
      binary: true,
    };
  }
  const tpl = options.template === false ? undefined : neutraliseTemplate(text);
  const template = tpl?.found === true;
  const source = tpl?.text ?? text;
  const scan = scanLines(source);
  const defs: PfParamDef[] = [];
  const problems: Problem[] = [...(template ? [] : [])];
  const warnings: Problem[] = [...scan.warnings];
  for (const line of scan.lines) {
    const def = parseNameValue(
      line.text,
      line.segments,
      'main.cf',
      defs.length,
      template,
      line.span,
    );
    if (isNameValueError(def)) {
      problems.push({
        message: mainCfLineProblem(def, line.text, line.span.start),
        span: line.firstLine,
      });
      continue;
    }
    if (def.name.startsWith(BOM)) {
      warnings.push({
        message: `Line 1 begins with a byte order mark (U+FEFF), which Postfix reads as part of the parameter name: it sees "${visible(def.name)}", not "${visible(def.name.slice(1))}", and ignores this definition.`,
        span: def.nameSpan,
      });
    }
    defs.push(def);
  }
  const params = new Map<string, PfParamDef>();
  for (const d of defs) params.set(d.name, d);
  return {
    text,
    defs,
    params,
    comments: scan.comments.map((c) => restoreComment(c, text)),
    problems,
    warnings,
    template,
    binary: false,
  };
}

function restoreComment(c: Comment, text: string): Comment {
  return { ...c, text: text.slice(c.span.start + 1, c.span.end) };
}

function firstLineSpan(text: string): Span {
  const nl = text.indexOf('\n');
  return { start: 0, end: Math.min(nl < 0 ? text.length : nl, 200) };
}

/** The byte order mark, which Postfix reads as an ordinary (non-blank) character. */
export const BOM = '\uFEFF';

/** Why a logical line is not `name = value` (split_nameval()'s two errors). */
export interface NameValueError {
  readonly error: 'no-name' | 'no-equals';
  /** The name read before the missing `=` (no-equals), or the trimmed line (no-name). */
  readonly text: string;
}

export function isNameValueError(v: PfParamDef | NameValueError): v is NameValueError {
  return 'error' in v;
}

/** The problem sentence for a main.cf line that is not `name = value`. */
function mainCfLineProblem(e: NameValueError, line: string, lineStart: number): string {
  if (lineStart === 0 && line.startsWith(BOM)) {
    // The mark is invisible in an editor: name it, or the message quotes what looks like a comment.
    return `Line 1 begins with a byte order mark (U+FEFF), which Postfix reads as part of the line: "${visible(clip(line.slice(1).trim()))}" then is not "name = value", and Postfix refuses to start. Save main.cf without the byte order mark.`;
  }
  return e.error === 'no-name'
    ? `This main.cf line has no parameter name before "=" ("${visible(clip(e.text))}"), and Postfix refuses to start: a main.cf line is "name = value".`
    : `This main.cf line has no "=" after "${visible(clip(e.text))}", and Postfix refuses to start: a main.cf line is "name = value".`;
}

/**
 * Shows the characters an editor does not (controls, format characters, the byte order mark)
 * as `<U+XXXX>`, so that a quoted name reads as what Postfix sees.
 */
export function visible(s: string): string {
  let out = '';
  for (const c of s) {
    const n = c.charCodeAt(0);
    out += isInvisible(n) ? `<U+${n.toString(16).toUpperCase().padStart(4, '0')}>` : c;
  }
  return out;
}

/** C0/C1 controls other than tab and line breaks, soft hyphen, zero-width and bidi marks, BOM. */
function isInvisible(n: number): boolean {
  if (n === 0x09 || n === 0x0a || n === 0x0d) return false;
  return (
    n < 0x20 ||
    (n >= 0x7f && n <= 0x9f) ||
    n === 0xad ||
    (n >= 0x200b && n <= 0x200f) ||
    (n >= 0x2028 && n <= 0x202e) ||
    (n >= 0x2060 && n <= 0x2064) ||
    n === 0xfeff
  );
}

/**
 * split_nameval() on a logical line. Returns why a line is not `name = value`, else the
 * definition (lineSpan filled by the caller).
 */
export function parseNameValue(
  line: string,
  segments: readonly Segment[],
  file: PfFileKind,
  index: number,
  template: boolean,
  lineSpan: Span,
): PfParamDef | NameValueError {
  let np = 0;
  while (np < line.length && isSpace(line[np])) np++;
  if (np >= line.length || line[np] === '=') {
    return { error: 'no-name', text: line.trim() };
  }
  let ep = np;
  while (ep < line.length && !isSpace(line[ep]) && line[ep] !== '=') ep++;
  let cp = ep;
  while (cp < line.length && isSpace(line[cp])) cp++;
  if (line[cp] !== '=') {
    return { error: 'no-equals', text: line.slice(np, ep) };
  }
  cp++;
  let vp = cp;
  while (vp < line.length && isSpace(line[vp])) vp++;
  let ve = line.length;
  while (ve > vp && isSpace(line[ve - 1])) ve--;
  const value = line.slice(vp, ve);
  return new ParamDef(
    line.slice(np, ep),
    mapSpan(segments, np, ep),
    value,
    mapSpan(segments, vp, ve),
    lineSpan,
    sliceSegments(segments, vp, ve),
    file,
    template && value.includes('\uE000'),
    index,
  );
}

/**
 * A definition whose list items are split on first use: a 10 MB main.cf holds hundreds of
 * thousands of definitions, and most are never read as lists.
 */
class ParamDef implements PfParamDef {
  declare readonly items: readonly PfItem[];

  constructor(
    readonly name: string,
    readonly nameSpan: Span,
    readonly value: string,
    readonly valueSpan: Span,
    readonly lineSpan: Span,
    readonly segments: readonly Segment[],
    readonly file: PfFileKind,
    readonly template: boolean,
    readonly index: number,
  ) {
    let cached: readonly PfItem[] | undefined;
    // An own enumerable getter, so that `{ ...def }` copies the items too.
    Object.defineProperty(this, 'items', {
      enumerable: true,
      get: () => (cached ??= splitItems(value, segments, file)),
    });
  }
}

export function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
