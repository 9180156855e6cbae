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
          message: 'This is not a text file (it holds NUL bytes): it is not a Postfix main.cf',
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
    if (typeof def === 'string') {
      problems.push({ message: def, span: line.firstLine });
      continue;
    }
    if (def.name.startsWith('\uFEFF')) {
      warnings.push({
        message: `A byte order mark precedes "${def.name.slice(1)}": Postfix reads the name with the mark and ignores this definition`,
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

/**
 * split_nameval() on a logical line. Returns the error message for a line that is not
 * `name = value`, else the definition (lineSpan filled by the caller).
 */
export function parseNameValue(
  line: string,
  segments: readonly Segment[],
  file: PfFileKind,
  index: number,
  template: boolean,
  lineSpan: Span,
): PfParamDef | string {
  let np = 0;
  while (np < line.length && isSpace(line[np])) np++;
  if (np >= line.length || line[np] === '=') {
    return `missing parameter name before "=" in "${clip(line.trim())}"`;
  }
  let ep = np;
  while (ep < line.length && !isSpace(line[ep]) && line[ep] !== '=') ep++;
  let cp = ep;
  while (cp < line.length && isSpace(line[cp])) cp++;
  if (line[cp] !== '=') {
    return `missing "=" after parameter name "${clip(line.slice(np, ep))}": a main.cf line is "name = value"`;
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

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
