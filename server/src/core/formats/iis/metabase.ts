import { SaxesParser } from 'saxes';
import type { Comment, Problem, Span } from '../../model.js';
import { lineOf } from '../../text.js';

/**
 * Reads `MetaBase.xml` with positions: the SMTP elements (`IIsSmtpService`, `IIsSmtpServer`),
 * their attributes and `<Custom>` children, each value with its exact span, and the comments.
 *
 * saxes checks well-formedness and reports the structure; it gives the offset just after each
 * start tag's `>`, so attribute names and values are located by re-reading that tag in the raw
 * text (a start tag cannot contain `<`, so its start is the last `<` before that offset).
 * saxes expands no DTD entity (it does not read the internal subset), and a DOCTYPE is refused
 * outright: an XML bomb is one problem, never an expansion.
 */

export interface XmlAttr {
  readonly name: string;
  readonly nameSpan: Span;
  /** The raw text between the quotes. */
  readonly raw: string;
  /** The value with entity and character references replaced (no whitespace normalisation). */
  readonly value: string;
  /** The span of the raw text between the quotes. */
  readonly valueSpan: Span;
}

export interface XmlElement {
  readonly name: string;
  /** Offset of `<`. */
  readonly start: number;
  /** Offset just after the start tag's `>`. */
  readonly openEnd: number;
  readonly attrs: readonly XmlAttr[];
  /** `<Custom>` children (SMTP elements only). */
  readonly customs: XmlElement[];
}

export interface MetabaseXml {
  /** `IIsSmtpService` and `IIsSmtpServer` elements, in document order. */
  readonly elements: readonly XmlElement[];
  readonly comments: readonly Comment[];
  readonly problems: readonly Problem[];
  /** Whether the root looks like an IIS metabase (`<configuration>` / `<MBProperty>`). */
  readonly isMetabase: boolean;
}

/** A comment with the offset of its text, for suppression directives (see report). */
export type XmlComment = Comment & { readonly textStart: number };

const SMTP_ELEMENTS = new Set(['iissmtpservice', 'iissmtpserver']);

class Stop extends Error {}

export function readMetabase(text: string, lineStarts: readonly number[]): MetabaseXml {
  const elements: XmlElement[] = [];
  const comments: Comment[] = [];
  const problems: Problem[] = [];
  const stack: (XmlElement | undefined)[] = [];
  let rootName: string | undefined;
  let sawMbProperty = false;
  const parser = new SaxesParser({ position: true });
  const fail = (message: string, span: Span): never => {
    problems.push({ message, span });
    throw new Stop();
  };
  parser.on('error', (err: Error) => {
    const at = Math.min(Math.max(parser.position - 1, 0), text.length);
    const message = err.message.replace(/^[^:]*:\d+:\d+: /, '');
    const hint = /comment/i.test(message)
      ? ' (an XML comment cannot contain "--": write a suppression reason after " - ", as in <!-- relay-lint-disable-next-line RLY004 - reason -->)'
      : '';
    // saxes ends most of its messages with a full stop: one full stop, whichever it is.
    const sentence = `${message.replace(/\.+$/, '')}${hint}`;
    fail(`MetaBase.xml is not well-formed XML: ${sentence}.`, {
      start: at,
      end: Math.min(at + 1, text.length),
    });
  });
  parser.on('doctype', () => {
    const at = text.indexOf('<!DOCTYPE');
    fail(
      'MetaBase.xml has a DOCTYPE declaration, which IIS metabases never have; it is not read (entities are never expanded), and the file is not analysed.',
      { start: Math.max(at, 0), end: Math.max(at, 0) + (at >= 0 ? 9 : 0) },
    );
  });
  parser.on('opentag', (tag) => {
    const openEnd = parser.position;
    const start = text.lastIndexOf('<', openEnd - 1);
    const lname = tag.name.toLowerCase();
    if (rootName === undefined) rootName = lname;
    if (lname === 'mbproperty') sawMbProperty = true;
    const parent = stack[stack.length - 1];
    let el: XmlElement | undefined;
    if (SMTP_ELEMENTS.has(lname) || (lname === 'custom' && parent !== undefined)) {
      el = {
        name: tag.name,
        start,
        openEnd,
        attrs: readAttributes(text, start, openEnd),
        customs: [],
      };
      if (lname === 'custom') parent?.customs.push(el);
      else elements.push(el);
    }
    // Only SMTP elements collect Custom children; anything else nests as "no element".
    if (!tag.isSelfClosing) stack.push(SMTP_ELEMENTS.has(lname) ? el : undefined);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  parser.on('comment', () => {
    const end = parser.position;
    const start = text.lastIndexOf('<!--', end - 3);
    if (start < 0) return;
    const textStart = start + 4;
    const line = lineOf(lineStarts, start);
    const before = text.slice(lineStarts[line] ?? 0, start);
    const c: XmlComment = {
      text: directiveText(text.slice(textStart, end - 3)),
      span: { start, end },
      line,
      trailing: before.trim() !== '',
      textStart,
    };
    comments.push(c);
  });
  try {
    parser.write(text).close();
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  return {
    elements,
    comments,
    problems,
    isMetabase: rootName === 'configuration' || sawMbProperty || elements.length > 0,
  };
}

/**
 * An XML comment cannot hold `--`, so a directive's reason follows ` - ` there. The text handed
 * to the suppression parser spells that separator `--` (same length, so offsets stay exact).
 */
function directiveText(body: string): string {
  const m = /^\s*relay-lint-disable-(?:next-line|line|file)/.exec(body);
  if (m === null) return body;
  const s = /\s-(?=\s|$)/.exec(body.slice(m[0].length));
  if (s === null) return body;
  const at = m[0].length + s.index;
  return `${body.slice(0, at)}--${body.slice(at + 2)}`;
}

function isNameChar(c: string): boolean {
  return !/[\s=/>"']/.test(c);
}

/** The attributes of the start tag `text[start, end)`, located in the raw text. */
function readAttributes(text: string, start: number, end: number): XmlAttr[] {
  const attrs: XmlAttr[] = [];
  let i = start + 1;
  while (i < end && isNameChar(text[i] ?? '>')) i++;
  for (;;) {
    while (i < end && /\s/.test(text[i] ?? '')) i++;
    const c = text[i];
    if (c === undefined || c === '>' || c === '/' || i >= end) break;
    const nameStart = i;
    while (i < end && isNameChar(text[i] ?? '>')) i++;
    const nameSpan = { start: nameStart, end: i };
    while (i < end && /\s/.test(text[i] ?? '')) i++;
    if (text[i] !== '=') break;
    i++;
    while (i < end && /\s/.test(text[i] ?? '')) i++;
    const quote = text[i];
    if (quote !== '"' && quote !== "'") break;
    const valueStart = i + 1;
    const close = text.indexOf(quote, valueStart);
    if (close < 0 || close >= end) break;
    const raw = text.slice(valueStart, close);
    attrs.push({
      name: text.slice(nameSpan.start, nameSpan.end),
      nameSpan,
      raw,
      value: decodeEntities(raw),
      valueSpan: { start: valueStart, end: close },
    });
    i = close + 1;
  }
  return attrs;
}

const NAMED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

/** The five predefined entities and character references; nothing else is expanded. */
export function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (m, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? m;
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? m;
    return NAMED[ref] ?? m;
  });
}

function safeCodePoint(n: number): string | undefined {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

/** Escapes text for an attribute value in double quotes. */
export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}
