/**
 * `$name` expansion (util/mac_parse.c, util/mac_expand.c) and list splitting (util/mystrtok.c
 * mystrtokq with CHARS_COMMA_SP and CHARS_BRACE), keeping for every character the file offset
 * it came from so that each expanded item points at the text that produced it.
 *
 *   splitItems(value, segments, file): PfItem[]
 *   tokenize(text, seps?): Array<[start, end]>   (mystrtokq)
 *   expandValue(source, lookup): Expansion
 *
 * Postfix semantics kept here:
 * - `$$` is a literal `$`; `$name`, `${name}`, `$(name)`; a `$` followed by no name is an error
 *   ("empty macro name"), an unclosed `${` too ("truncated macro reference").
 * - `${name?text}` / `${name?{text}}` give text when name is defined and not empty;
 *   `${name:text}` / `${name:{text}}` when it is undefined or empty; `${name?{a}:{b}}` both.
 * - An undefined name expands to nothing. Expansion is recursive; more than 100 nested levels is
 *   the error "unreasonable macro call nesting" (a cycle ends there too), so depth is bounded
 *   and a 10,000-deep chain fails fast at level 101, as in Postfix.
 * - Relational expressions `${{a} == {b} ? {x} : {y}}` (Postfix 3.6+) with ==, !=, <, <=, >, >=
 *   and their `level` forms.
 */
import { isSpace, mapOffset } from './lines.js';
import type { PfFileKind, PfItem, Segment } from './model.js';
import type { Span } from '../../model.js';
import { TEMPLATE_CHAR } from './lines.js';

const LIST_SEPARATORS = ', \t\r\n';
const MAX_LEVEL = 100;
/** Output budget: a value that expands past this is an error, never a hang. */
const MAX_OUTPUT = 1_000_000;

/** mystrtokq: token ranges, braces grouping. */
export function tokenize(text: string, seps: string = LIST_SEPARATORS): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && seps.includes(text[i] as string)) i++;
    if (i >= n) break;
    const start = i;
    let level = 0;
    for (; i < n; i++) {
      const ch = text[i] as string;
      if (ch === '{') level++;
      else if (level > 0 && ch === '}') level--;
      else if (level === 0 && seps.includes(ch)) break;
    }
    out.push([start, i]);
    if (i < n) i++;
  }
  return out;
}

/** Raw list items of a written value, with spans. */
export function splitItems(
  value: string,
  segments: readonly Segment[],
  file: PfFileKind,
): PfItem[] {
  return tokenize(value).map(([s, e]) => {
    const text = value.slice(s, e);
    const span = spanFromSegments(segments, s, e);
    return text.includes(TEMPLATE_CHAR)
      ? { text, span, file, unknown: 'a template expression' }
      : { text, span, file };
  });
}

function spanFromSegments(segments: readonly Segment[], s: number, e: number): Span {
  const a = mapOffset(segments, s);
  const b = e > s ? mapOffset(segments, e - 1) + 1 : a;
  return { start: a, end: Math.max(a, b) };
}

/** A value to expand and where its characters are written. */
export interface PfValueSource {
  readonly text: string;
  /** Value offset → file offset; undefined for a default written nowhere. */
  readonly segments?: readonly Segment[];
  readonly file: PfFileKind;
}

/**
 * Resolves a parameter name for expansion; undefined when the parameter is not defined
 * (expands to nothing).
 */
export type ParamLookup = (name: string) => PfValueSource | undefined;

export interface Expansion {
  readonly text: string;
  /** The expanded value split into list items, each with the span of its source text. */
  readonly items: readonly PfItem[];
  /** Postfix refuses this value (macro processing error). */
  readonly error?: string;
  /** The value holds text that is not known (template expressions). */
  readonly unknown?: string;
  /** Parameter names consulted (for traces). */
  readonly used: readonly string[];
}

interface Origin {
  /** File offset of the character, -1 for text written nowhere. */
  readonly at: number;
  readonly file: PfFileKind;
  /** The span of the outermost reference that produced the character (fallback span). */
  readonly ref: Span;
  readonly via: readonly string[];
}

class ExpansionError extends Error {}

class Expander {
  readonly out: string[] = [];
  readonly origins: Origin[] = [];
  readonly used = new Set<string>();
  length = 0;

  constructor(private readonly lookup: ParamLookup) {}

  emit(text: string, origin: (i: number) => Origin): void {
    this.length += text.length;
    if (this.length > MAX_OUTPUT) {
      throw new ExpansionError('the value expands to more than 1,000,000 characters');
    }
    for (let i = 0; i < text.length; i++) {
      this.out.push(text[i] as string);
      this.origins.push(origin(i));
    }
  }

  /** mac_parse over `text` whose character i has origin `at(i)`; callbacks run at `level`. */
  parse(text: string, at: (i: number) => Origin, level: number): void {
    let lit = '';
    let litIdx: number[] = [];
    const flushLiteral = (): void => {
      if (lit.length === 0) return;
      this.callbackLevel(level);
      const idx = litIdx;
      this.emit(lit, (i) => at(idx[i] ?? 0));
      lit = '';
      litIdx = [];
    };
    let vp = 0;
    while (vp < text.length) {
      const c = text[vp] as string;
      if (c !== '$') {
        lit += c;
        litIdx.push(vp);
        vp++;
        continue;
      }
      if (text[vp + 1] === '$') {
        lit += '$';
        litIdx.push(vp);
        vp += 2;
        continue;
      }
      flushLiteral();
      const refStart = vp;
      vp++;
      let exprStart: number;
      let exprEnd: number;
      const open = text[vp];
      if (open === '{' || open === '(') {
        const close = open === '{' ? '}' : ')';
        let depth = 1;
        vp++;
        exprStart = vp;
        let ep = vp;
        for (; depth > 0; ep++) {
          if (ep >= text.length) {
            throw new ExpansionError(`truncated macro reference: "${clip(text)}"`);
          }
          if (text[ep] === open) depth++;
          if (text[ep] === close) depth--;
        }
        exprEnd = ep - 1;
        vp = ep;
      } else {
        exprStart = vp;
        let ep = vp;
        while (ep < text.length && /[A-Za-z0-9_]/.test(text[ep] as string)) ep++;
        exprEnd = ep;
        vp = ep;
      }
      if (exprEnd <= exprStart) throw new ExpansionError(`empty macro name: "${clip(text)}"`);
      const expr = text.slice(exprStart, exprEnd);
      const refOrigin = at(refStart);
      const refEnd = at(Math.max(vp - 1, refStart));
      const ref: Span =
        refOrigin.at >= 0 && refEnd.at >= refOrigin.at
          ? { start: refOrigin.at, end: refEnd.at + 1 }
          : refOrigin.ref;
      this.expr(expr, (i) => at(exprStart + i), level, ref);
    }
    flushLiteral();
  }

  private callbackLevel(level: number): void {
    if (level > MAX_LEVEL) {
      throw new ExpansionError('unreasonable macro call nesting (more than 100 levels: a cycle?)');
    }
  }

  /** mac_expand_callback for one MAC_PARSE_EXPR. */
  private expr(expr: string, at: (i: number) => Origin, level: number, ref: Span): void {
    this.callbackLevel(level);
    let cp = 0;
    while (cp < expr.length && isSpace(expr[cp])) cp++;
    let defined: boolean;
    let value: PfValueSource | undefined;
    let opAt = -1;
    if (expr[cp] === '{') {
      const rel = this.relational(expr, cp, level);
      defined = rel.result;
      cp = rel.end;
      while (cp < expr.length && isSpace(expr[cp])) cp++;
      if (cp < expr.length) {
        if (expr[cp] !== '?' && expr[cp] !== ':') {
          throw new ExpansionError(`"?" or ":" expected at: "${clip(expr.slice(cp))}"`);
        }
        opAt = cp;
      } else {
        // A relational expression alone yields its truth value as text? Postfix requires ?/:.
        throw new ExpansionError(`"?" or ":" expected after "${clip(expr)}"`);
      }
      value = defined ? { text: '1', file: 'main.cf' } : undefined;
    } else {
      const start = cp;
      let end = cp;
      while (end < expr.length && /[A-Za-z0-9_]/.test(expr[end] as string)) end++;
      let k = end;
      while (k < expr.length && isSpace(expr[k])) k++;
      if (k < expr.length) {
        if (expr[k] === '?' || expr[k] === ':') opAt = k;
        else if (expr[k] === '{') {
          throw new ExpansionError(`unsupported function call "${clip(expr)}"`);
        } else {
          throw new ExpansionError(`attribute name syntax error at: "${clip(expr)}"`);
        }
      }
      const name = expr.slice(start, end);
      if (name === '') throw new ExpansionError(`attribute name syntax error at: "${clip(expr)}"`);
      this.used.add(name);
      value = this.lookup(name);
      defined = value !== undefined && value.text !== '';
      if (opAt < 0) {
        if (value === undefined || value.text === '') return;
        const src = value;
        const segs = src.segments;
        const via = [...at(0).via, name];
        this.parse(
          src.text,
          (i) => ({
            at: segs !== undefined ? mapOffset(segs, i) : -1,
            file: src.file,
            ref,
            via,
          }),
          level + 1,
        );
        return;
      }
    }
    // Conditional forms.
    let p = opAt;
    if (expr[p] === '?') {
      p++;
      const r = this.operand(expr, p);
      if (defined) this.parse(r.text, (i) => at(r.offset + i), level + 1);
      p = r.end;
      if (p >= expr.length) return;
      if (expr[p] !== ':') {
        throw new ExpansionError(`":" expected at: "${clip(expr.slice(p))}"`);
      }
    }
    if (expr[p] === ':') {
      p++;
      const r = this.operand(expr, p);
      if (!defined) this.parse(r.text, (i) => at(r.offset + i), level + 1);
      if (r.end < expr.length) {
        throw new ExpansionError(`unexpected input at: "${clip(expr.slice(r.end))}"`);
      }
    }
  }

  /** A `?`/`:` operand: `{text}` (braces balanced) or the rest of the expression. */
  private operand(expr: string, p: number): { text: string; offset: number; end: number } {
    let k = p;
    while (k < expr.length && isSpace(expr[k])) k++;
    if (expr[k] === '{') {
      const close = balanced(expr, k);
      if (close < 0) throw new ExpansionError(`missing "}" in "${clip(expr)}"`);
      let end = close + 1;
      while (end < expr.length && isSpace(expr[end])) end++;
      return { text: expr.slice(k + 1, close), offset: k + 1, end };
    }
    return { text: expr.slice(p), offset: p, end: expr.length };
  }

  /** `{a} op {b}`: both sides expanded (one level), compared. */
  private relational(expr: string, cp: number, level: number): { result: boolean; end: number } {
    const lc = balanced(expr, cp);
    if (lc < 0) throw new ExpansionError(`missing "}" in "${clip(expr)}"`);
    const left = this.evalText(expr.slice(cp + 1, lc), level);
    let k = lc + 1;
    while (k < expr.length && isSpace(expr[k])) k++;
    const m = /^(==|!=|<=level|>=level|<level|>level|<=|>=|<|>)/.exec(expr.slice(k));
    if (m === null) throw new ExpansionError(`unknown operator in "${clip(expr)}"`);
    const op = m[1] as string;
    k += op.length;
    while (k < expr.length && isSpace(expr[k])) k++;
    if (expr[k] !== '{') throw new ExpansionError(`"{" expected in "${clip(expr)}"`);
    const rc = balanced(expr, k);
    if (rc < 0) throw new ExpansionError(`missing "}" in "${clip(expr)}"`);
    const right = this.evalText(expr.slice(k + 1, rc), level);
    return { result: compare(left.trim(), op, right.trim()), end: rc + 1 };
  }

  /** Expands text into a string (for relational operands), sharing the level budget. */
  private evalText(text: string, level: number): string {
    const sub = new Expander(this.lookup);
    sub.length = this.length;
    const none: Origin = { at: -1, file: 'main.cf', ref: { start: 0, end: 0 }, via: [] };
    sub.parse(text, () => none, level + 1);
    for (const u of sub.used) this.used.add(u);
    return sub.out.join('');
  }
}

function compare(a: string, op: string, b: string): boolean {
  if (op === '==') return a === b;
  if (op === '!=') return a !== b;
  if (op.endsWith('level')) {
    const c = compareLevels(a, b);
    if (c === undefined) throw new ExpansionError(`malformed compatibility level "${a}" or "${b}"`);
    if (op === '<level') return c < 0;
    if (op === '<=level') return c <= 0;
    if (op === '>level') return c > 0;
    return c >= 0;
  }
  const x = Number(a);
  const y = Number(b);
  if (!/^-?\d+$/.test(a) || !/^-?\d+$/.test(b)) {
    throw new ExpansionError(`non-numeric operand for "${op}": "${a}", "${b}"`);
  }
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}

/** compat_level_from_string: `major[.minor[.patch]]`, decimal; undefined when malformed. */
export function parseLevel(text: string): readonly [number, number, number] | undefined {
  const m = /^(\d+)(?:\.(\d+)(?:\.(\d+))?)?$/.exec(text);
  if (m === null) return undefined;
  const parts = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] as const;
  if (parts.some((p) => !Number.isSafeInteger(p) || p > 99999)) return undefined;
  return parts;
}

/** Compares two compatibility levels as versions (`3.6` > `2`, `3.10` > `3.9`). */
export function compareLevels(a: string, b: string): number | undefined {
  const x = parseLevel(a);
  const y = parseLevel(b);
  if (x === undefined || y === undefined) return undefined;
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function balanced(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/**
 * Expands a value recursively as Postfix's mail_conf_eval() does and splits the result into list
 * items. `fallback` is the span given to text written nowhere (a default).
 */
export function expandValue(
  source: PfValueSource,
  lookup: ParamLookup,
  fallback: Span = { start: 0, end: 0 },
): Expansion {
  const ex = new Expander(lookup);
  const segs = source.segments;
  const topOrigin = (i: number): Origin => {
    const at = segs !== undefined ? mapOffset(segs, i) : -1;
    return {
      at,
      file: source.file,
      ref: at >= 0 ? { start: at, end: at + 1 } : fallback,
      via: [],
    };
  };
  try {
    ex.parse(source.text, topOrigin, 0);
  } catch (e) {
    if (e instanceof ExpansionError) {
      return { text: '', items: [], error: e.message, used: [...ex.used] };
    }
    throw e;
  }
  const text = ex.out.join('');
  const items: PfItem[] = tokenize(text).map(([s, e]) =>
    itemFrom(text, ex.origins, s, e, source, fallback),
  );
  const unknown = text.includes(TEMPLATE_CHAR) ? 'a template expression' : undefined;
  return {
    text,
    items,
    ...(unknown !== undefined ? { unknown } : {}),
    used: [...ex.used],
  };
}

function itemFrom(
  text: string,
  origins: readonly Origin[],
  s: number,
  e: number,
  source: PfValueSource,
  fallback: Span,
): PfItem {
  const itemText = text.slice(s, e);
  const first = origins[s] as Origin;
  let contiguous = first.at >= 0;
  let sameFile = true;
  let isDefault = first.at < 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = -1;
  for (let i = s; i < e; i++) {
    const o = origins[i] as Origin;
    if (o.file !== first.file) sameFile = false;
    if (o.at < 0) contiguous = false;
    else {
      isDefault = false;
      lo = Math.min(lo, o.at);
      hi = Math.max(hi, o.at);
      if (i > s && (origins[i - 1] as Origin).at + 1 !== o.at) contiguous = false;
    }
  }
  let span: Span;
  let file: PfFileKind = first.file;
  if (contiguous && sameFile) span = { start: first.at, end: first.at + (e - s) };
  else if (sameFile && hi >= 0 && !isDefault && origins.slice(s, e).every((o) => o.at >= 0)) {
    span = { start: lo, end: hi + 1 };
  } else {
    // Mixed or default text: point at the outermost reference that produced it.
    span = first.ref;
    file = source.file;
    if (first.at < 0 && first.ref === fallback) isDefault = true;
  }
  const via = first.via.length > 0 ? first.via : undefined;
  return {
    text: itemText,
    span,
    file,
    ...(itemText.includes(TEMPLATE_CHAR) ? { unknown: 'a template expression' } : {}),
    ...(via !== undefined ? { via } : {}),
    ...(isDefault ? { isDefault: true } : {}),
  };
}
