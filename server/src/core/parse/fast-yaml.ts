import type { ConfigDocument, Entry, JsonPath, ScalarNode, Span, SyntaxNode } from '../model.js';
import { LIMITS } from './limits.js';

/**
 * A fast reader for the YAML that relay files are written in: one document of block mappings
 * and sequences (compact `- key: value` items included), single-line plain and quoted scalars,
 * single-line flow sequences and flow mappings of scalars, and comments. It builds the same tree
 * with the same spans as `parseYaml` (yaml.ts) does through `yaml`'s composed documents, in a
 * fraction of the time, and allocates little besides the tree.
 *
 * It gives up (returns undefined) on anything else, and the caller then parses with `yaml`:
 * several documents or directives, anchors, aliases, tags, block scalars, multi-line scalars and
 * flow collections, escapes in double quotes, quoted or complex keys, keys that YAML would read
 * as another type, numbers other than decimal integers, duplicate keys, tabs, lone carriage returns,
 * a byte-order mark, indentation that is not clearly valid, and every syntax error. Giving up is
 * always correct; test/unit/core/parse/cst-differential.test.ts checks that whatever it does
 * return equals the reference, over the corpus, the examples and random documents.
 */
export function fastParseYaml(text: string): ConfigDocument[] | undefined {
  if (!plausible(text)) return undefined;
  try {
    const reader = new Reader(text);
    return reader.document();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}

/**
 * Thrown to abandon the fast path; caught above, never escapes. One instance, made once: a
 * throw then costs no stack capture.
 */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp('not in the fast subset');

const NL = 10;
const CR = 13;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const COMMA = 44;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

/**
 * Characters and markers the fast path never handles; one scan each rules them out. (Anchors,
 * aliases, tags and directives need no scan: they can only start a node or a line, where the
 * reader accepts none of their indicators.)
 */
function plausible(text: string): boolean {
  return (
    text.length > 0 &&
    text.charCodeAt(0) !== 0xfeff &&
    !text.includes('\t') &&
    // CRLF line ends are read; a lone CR (a line break to YAML, to nobody else) is not.
    !/\r(?!\n)/.test(text) &&
    !/^(?:---|\.\.\.)/m.test(text)
  );
}

/** A block key: a plain identifier that YAML reads as a string equal to its text. */
const KEY_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_-]/.test(ch)) KEY_CHAR[c] = 1;
}
const RESERVED_KEYS = new Set([
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'null',
  'Null',
  'NULL',
  'y',
  'Y',
  'n',
  'N',
  'yes',
  'Yes',
  'YES',
  'no',
  'No',
  'NO',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
]);

/** First characters of a plain scalar the fast path accepts (no YAML indicator among them). */
function plainStart(c: number, next: number): boolean {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
  if (c === 46 || c === 47 || c === 95 || c === 43 || c === 40 || c === 36 || c === 61) return true;
  // `-x` is a scalar; `- x` and a lone `-` are sequence items.
  if (c === DASH) return !Number.isNaN(next) && next !== SPACE && next !== NL && next !== CR;
  return c >= 128;
}

const INT = /^[-+]?[0-9]+$/;
/** Plain scalars that YAML's core schema reads as something this reader does not convert. */
const OTHER_TYPE =
  /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

class Reader {
  private pos = 0;
  private nodes = 0;
  /** Whether the last value read was empty (`key:` with nothing after it). */
  private lastEmpty = false;

  constructor(private readonly text: string) {}

  document(): ConfigDocument[] {
    const first = this.nextContent(0);
    // The root must start at column 0 of a line; an indented root is left to `yaml`.
    if (first === undefined || first.indent !== 0) throw GIVE_UP;
    const root = this.block(first.at, 0, [], 0);
    // Everything after the root must have been consumed (only comments and blank lines left).
    if (this.nextContent(this.pos) !== undefined) throw GIVE_UP;
    // yaml ends a document whose last value is empty at that value, not at the end of the text.
    if (this.lastEmpty) throw GIVE_UP;
    return [{ index: 0, span: { start: first.at, end: this.text.length }, root }];
  }

  /**
   * From the start of a line, the next line with content (blank and comment-only lines are
   * skipped): where its content starts and its indentation.
   */
  private nextContent(lineStart: number): { at: number; indent: number } | undefined {
    const t = this.text;
    let i = lineStart;
    while (i < t.length) {
      let j = i;
      while (t.charCodeAt(j) === SPACE) j++;
      if (j >= t.length) return undefined;
      const c = t.charCodeAt(j);
      if (c === NL || c === CR) {
        i = j + (c === CR ? 2 : 1);
        continue;
      }
      if (c === HASH) {
        const nl = t.indexOf('\n', j);
        if (nl < 0) return undefined;
        i = nl + 1;
        continue;
      }
      return { at: j, indent: j - i };
    }
    return undefined;
  }

  private count(depth: number): void {
    if (++this.nodes > LIMITS.maxNodes || depth > LIMITS.maxDepth) throw GIVE_UP;
  }

  /** A block node whose first content is at `at` (column `col`). */
  private block(at: number, col: number, path: JsonPath, depth: number): SyntaxNode {
    const t = this.text;
    if (t.charCodeAt(at) === DASH && isBreakOrSpace(t.charCodeAt(at + 1), at + 1, t.length))
      return this.sequence(at, col, path, depth);
    if (this.keyEnd(at) !== undefined) return this.mapping(at, col, path, depth);
    throw GIVE_UP;
  }

  /** If a block key starts at `at`, the offset of its colon. */
  private keyEnd(at: number): number | undefined {
    const t = this.text;
    let i = at;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c < 128 && KEY_CHAR[c] === 1) i++;
      else break;
    }
    if (i === at || t.charCodeAt(i) !== COLON) return undefined;
    if (!isBreakOrSpace(t.charCodeAt(i + 1), i + 1, t.length)) return undefined;
    return i;
  }

  private mapping(start: number, col: number, path: JsonPath, depth: number): SyntaxNode {
    this.count(depth);
    const t = this.text;
    const entries: Entry[] = [];
    const seen = new Set<string>();
    let at = start;
    let end = start;
    for (;;) {
      const colon = this.keyEnd(at);
      if (colon === undefined) throw GIVE_UP;
      const key = t.slice(at, colon);
      // Keys YAML reads as numbers or booleans, `-…` keys and very long implicit keys (an
      // error in yaml) are the reference's.
      const first = t.charCodeAt(at);
      if (RESERVED_KEYS.has(key) || (first >= 48 && first <= 57) || first === DASH) throw GIVE_UP;
      if (key.length > 1000) throw GIVE_UP;
      // Duplicate keys get the reference's problem wording and order: leave them to it.
      if (seen.has(key)) throw GIVE_UP;
      seen.add(key);
      const keySpan: Span = { start: at, end: colon };
      const childPath = [...path, key];
      const value = this.value(colon + 1, col, childPath, depth + 1, true);
      entries.push({ key, keySpan, value });
      if (value.span.end > end) end = value.span.end;
      const next = this.nextContent(this.pos);
      if (next === undefined || next.indent < col) break;
      if (next.indent > col) throw GIVE_UP;
      at = next.at;
    }
    return { kind: 'object', span: { start, end }, path, entries };
  }

  private sequence(start: number, col: number, path: JsonPath, depth: number): SyntaxNode {
    this.count(depth);
    const t = this.text;
    const items: SyntaxNode[] = [];
    let at = start;
    let end = start;
    for (;;) {
      if (t.charCodeAt(at) !== DASH || !isBreakOrSpace(t.charCodeAt(at + 1), at + 1, t.length))
        throw GIVE_UP;
      const childPath = [...path, items.length];
      const item = this.value(at + 1, col, childPath, depth + 1, false);
      items.push(item);
      if (item.span.end > end) end = item.span.end;
      const next = this.nextContent(this.pos);
      if (next === undefined || next.indent < col) break;
      if (next.indent > col) throw GIVE_UP;
      // A mapping key at the sequence's own column ends the sequence (`list:` then `- a` at
      // the key's column, then the next key).
      if (t.charCodeAt(next.at) !== DASH) break;
      at = next.at;
    }
    return { kind: 'array', span: { start, end }, path, items };
  }

  /**
   * The value after a mapping's colon or a sequence's dash at `from` (on the line of a node at
   * column `col`). Leaves `pos` at the start of the line after the value.
   */
  private value(
    from: number,
    col: number,
    path: JsonPath,
    depth: number,
    inMapping: boolean,
  ): SyntaxNode {
    const t = this.text;
    let i = from;
    while (t.charCodeAt(i) === SPACE) i++;
    const c = i < t.length ? t.charCodeAt(i) : NL;
    if (c === NL || c === CR || c === HASH) {
      if (c === HASH && i === from) throw GIVE_UP; // `key:#` is not a comment
      const lineEnd = this.endOfLine(i);
      const next = this.nextContent(lineEnd);
      if (next !== undefined && next.indent > col) {
        return this.block(next.at, next.indent, path, depth);
      }
      if (
        inMapping &&
        next !== undefined &&
        next.indent === col &&
        t.charCodeAt(next.at) === DASH &&
        isBreakOrSpace(t.charCodeAt(next.at + 1), next.at + 1, t.length)
      ) {
        return this.sequence(next.at, col, path, depth);
      }
      // An empty value: yaml places its null scalar at the first non-space after the indicator.
      this.pos = lineEnd;
      this.count(depth);
      this.lastEmpty = true;
      return {
        kind: 'scalar',
        span: { start: i, end: i },
        path,
        value: null,
        quoted: false,
        source: '',
      };
    }
    // Inline content must be separated from the indicator.
    if (i === from) throw GIVE_UP;
    if (!inMapping && this.keyEnd(i) !== undefined) {
      // A compact mapping in a sequence item: its keys sit at the first key's column.
      const lineStart = t.lastIndexOf('\n', i - 1) + 1;
      return this.mapping(i, i - lineStart, path, depth);
    }
    let node: SyntaxNode;
    let after: number;
    if (c === LBRACKET || c === LBRACE) {
      const r = this.flow(i, path, depth);
      node = r.node;
      after = r.end;
    } else {
      const r = this.scalar(i, path, false);
      this.count(depth);
      node = r.node;
      after = r.end;
    }
    this.pos = this.restOfLine(after);
    this.lastEmpty = false;
    return node;
  }

  /** After a value: spaces and an optional comment to the end of the line; the next line. */
  private restOfLine(i: number): number {
    const t = this.text;
    let j = i;
    while (t.charCodeAt(j) === SPACE) j++;
    if (j >= t.length) return t.length;
    const c = t.charCodeAt(j);
    if (c === NL) return j + 1;
    if (c === CR) return j + 2;
    if (c === HASH && j > i) return this.endOfLine(j);
    throw GIVE_UP;
  }

  /** The start of the line after the one containing `i`. */
  private endOfLine(i: number): number {
    const nl = this.text.indexOf('\n', i);
    return nl < 0 ? this.text.length : nl + 1;
  }

  /**
   * A single-line scalar at `i`: quoted, or plain (in flow context plain scalars stop at `,`,
   * `]` and `}`). Returns the node and the offset after it.
   */
  private scalar(i: number, path: JsonPath, inFlow: boolean): { node: ScalarNode; end: number } {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      let j = i + 1;
      let value = '';
      for (;;) {
        const k = t.indexOf(c === DQUOTE ? '"' : "'", j);
        const nl = t.indexOf('\n', j);
        if (k < 0 || (nl >= 0 && nl < k)) throw GIVE_UP;
        if (c === DQUOTE) {
          if (t.slice(j, k).includes('\\')) throw GIVE_UP;
          value += t.slice(j, k);
          j = k + 1;
          break;
        }
        value += t.slice(j, k);
        if (t.charCodeAt(k + 1) === SQUOTE) {
          value += "'";
          j = k + 2;
          continue;
        }
        j = k + 1;
        break;
      }
      const node: ScalarNode = {
        kind: 'scalar',
        span: { start: i, end: j },
        path,
        value,
        quoted: true,
        source: value,
      };
      return { node, end: j };
    }
    const next = t.charCodeAt(i + 1);
    if (!plainStart(c, next)) throw GIVE_UP;
    // `[-]`, `[-, x]`: a dash before a flow indicator is not a plain scalar.
    if (inFlow && c === DASH && (next === COMMA || next === RBRACKET || next === RBRACE))
      throw GIVE_UP;
    let j = i;
    let last = i; // end of the last non-space character
    for (; j < t.length; j++) {
      const d = t.charCodeAt(j);
      if (d === NL || d === CR) break;
      if (d === SPACE) continue;
      if (d === HASH && t.charCodeAt(j - 1) === SPACE) break;
      if (d === COLON) {
        const e = t.charCodeAt(j + 1);
        // `key: value` inside a value, or a trailing colon: a nested mapping, not a scalar.
        if (j + 1 >= t.length || e === SPACE || e === NL || e === CR) throw GIVE_UP;
        if (inFlow && (e === COMMA || e === RBRACKET || e === RBRACE)) throw GIVE_UP;
      }
      if (inFlow) {
        if (d === COMMA || d === RBRACKET || d === RBRACE) break;
        if (d === LBRACKET || d === LBRACE || d === DQUOTE || d === SQUOTE) throw GIVE_UP;
      }
      if (d === BACKSLASH && inFlow) throw GIVE_UP;
      last = j + 1;
    }
    const source = t.slice(i, last);
    return { node: this.plain(source, { start: i, end: last }, path), end: last };
  }

  /** A plain scalar's value as YAML's core schema reads it. */
  private plain(source: string, span: Span, path: JsonPath): ScalarNode {
    let value: string | number | boolean | null = source;
    const c = source.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 43 || c === DASH || c === 46) {
      if (INT.test(source)) value = parseInt(source, 10);
      else if (OTHER_TYPE.test(source)) throw GIVE_UP;
    } else if (source === 'true' || source === 'True' || source === 'TRUE') value = true;
    else if (source === 'false' || source === 'False' || source === 'FALSE') value = false;
    else if (source === 'null' || source === 'Null' || source === 'NULL' || source === '~')
      value = null;
    return {
      kind: 'scalar',
      span,
      path,
      value,
      quoted: false,
      source: typeof value === 'string' ? value : source,
    };
  }

  /** A single-line flow sequence or mapping (of scalars and flow collections) at `i`. */
  private flow(i: number, path: JsonPath, depth: number): { node: SyntaxNode; end: number } {
    this.count(depth);
    const t = this.text;
    const isMap = t.charCodeAt(i) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    const items: SyntaxNode[] = [];
    const entries: Entry[] = [];
    const seen = new Set<string>();
    let j = i + 1;
    for (;;) {
      while (t.charCodeAt(j) === SPACE) j++;
      const c = t.charCodeAt(j);
      if (c === close && items.length === 0 && entries.length === 0) {
        j++;
        break;
      }
      if (j >= t.length || c === NL || c === CR || c === HASH || c === COMMA) throw GIVE_UP;
      if (isMap) {
        const colon = this.flowKeyEnd(j);
        const key = t.slice(j, colon);
        if (RESERVED_KEYS.has(key) || seen.has(key)) throw GIVE_UP;
        seen.add(key);
        const keySpan: Span = { start: j, end: colon };
        let k = colon + 1;
        while (t.charCodeAt(k) === SPACE) k++;
        if (k === colon + 1) throw GIVE_UP;
        const r = this.flowItem(k, [...path, key], depth + 1);
        entries.push({ key, keySpan, value: r.node });
        j = r.end;
      } else {
        const r = this.flowItem(j, [...path, items.length], depth + 1);
        items.push(r.node);
        j = r.end;
      }
      while (t.charCodeAt(j) === SPACE) j++;
      const d = t.charCodeAt(j);
      if (d === close) {
        j++;
        break;
      }
      if (d !== COMMA) throw GIVE_UP;
      j++;
      // `[a, ]`: a trailing comma is legal YAML, but rare enough to leave to the reference.
      while (t.charCodeAt(j) === SPACE) j++;
      if (t.charCodeAt(j) === close) throw GIVE_UP;
    }
    const span = { start: i, end: j };
    const node: SyntaxNode = isMap
      ? { kind: 'object', span, path, entries }
      : { kind: 'array', span, path, items };
    return { node, end: j };
  }

  /** A value inside a flow collection: a nested collection or a scalar. */
  private flowItem(j: number, path: JsonPath, depth: number): { node: SyntaxNode; end: number } {
    const c = this.text.charCodeAt(j);
    if (c === LBRACKET || c === LBRACE) return this.flow(j, path, depth);
    this.count(depth);
    return this.scalar(j, path, true);
  }

  /** A flow mapping's key at `j` (a plain identifier followed by `: `): its colon. */
  private flowKeyEnd(j: number): number {
    const t = this.text;
    let i = j;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c < 128 && KEY_CHAR[c] === 1) i++;
      else break;
    }
    const first = t.charCodeAt(j);
    if (i === j || (first >= 48 && first <= 57) || first === DASH || i - j > 1000) throw GIVE_UP;
    if (t.charCodeAt(i) !== COLON || t.charCodeAt(i + 1) !== SPACE) throw GIVE_UP;
    return i;
  }
}

function isBreakOrSpace(c: number, at: number, length: number): boolean {
  return at >= length || c === SPACE || c === NL || c === CR;
}
