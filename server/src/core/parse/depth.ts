/**
 * A cheap, linear pre-scan of nesting depth, run before the parsers.
 *
 * Both parsers recurse once per nesting level: jsonc-parser overflows the stack at a few
 * thousand levels (a RangeError that escapes `parseTree`), and yaml's composer overflows at
 * about 800 levels of flow collections and slows down quadratically long before that (a 2 MB
 * file of `[` takes tens of seconds). A relay configuration nests about eight levels deep, so
 * anything deeper than LIMITS.maxDepth is refused here, with one finding at the bracket or line
 * that crosses the limit, before either parser sees it.
 *
 * The YAML scan errs on the side of counting. Quoted scalars are skipped only up to the end of
 * their line, because yaml ends a quoted scalar early at a less indented line and then parses
 * what follows as structure: skipping further would let a hostile file hide deep nesting. Block
 * scalars (`|`, `>`) are skipped exactly as far as yaml reads them: the lines indented at least
 * as much as their first non-empty line (which must be indented more than the line of the
 * indicator), and blank lines; the first less indented line is scanned again. A text of
 * brackets in a block scalar is text, not nesting.
 */

export interface DepthExcess {
  /** Offset of the character that first nests deeper than the limit. */
  readonly offset: number;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;
const SLASH = 47;
const STAR = 42;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const COMMA = 44;
const COLON = 58;
const DASH = 45;
const QUESTION = 63;
const AMP = 38;
const BANG = 33;
const DOT = 46;
const PIPE = 124;
const GREATER = 62;

/** First place where JSON nests deeper than `maxDepth` (strings and comments skipped). */
export function jsonDepthExcess(text: string, maxDepth: number): DepthExcess | undefined {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > maxDepth) return { offset: i };
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      if (depth > 0) depth--;
    } else if (c === DQUOTE) {
      i = skipDoubleQuoted(text, i);
    } else if (c === SLASH && text.charCodeAt(i + 1) === SLASH) {
      i = lineEnd(text, i) - 1;
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 1;
    }
  }
  return undefined;
}

/**
 * First place where YAML nests deeper than `maxDepth`: the block depth of the line (a stack of
 * indentations plus compact `- `/`? ` indicators) plus the flow depth (`[`/`{` where a value
 * starts, or anywhere inside a flow collection). Comments, quoted scalars (to the end of their
 * line) and plain scalars in block context (which may contain brackets) are skipped.
 */
export function yamlDepthExcess(text: string, maxDepth: number): DepthExcess | undefined {
  return new YamlDepthScan(text, maxDepth).run();
}

class YamlDepthScan {
  private i = 0;
  private flow = 0;
  private block = 0;
  /** Indentation of the current block-context line (-1 after a document marker). */
  private lineIndent = -1;
  private readonly indents: number[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  run(): DepthExcess | undefined {
    const n = this.text.length;
    if (this.text.charCodeAt(0) === 0xfeff) this.i = 1;
    while (this.i < n) {
      const excess = this.flow > 0 ? this.flowStep() : this.line();
      if (excess !== undefined) return excess;
    }
    return undefined;
  }

  /** One line in block context, from its first character up to and including its break. */
  private line(): DepthExcess | undefined {
    const text = this.text;
    const start = this.i;
    let i = start;
    while (text.charCodeAt(i) === SPACE) i++;
    const indent = i - start;
    while (isBlank(text.charCodeAt(i))) i++;
    const c = text.charCodeAt(i);
    if (i >= text.length || c === LF || c === CR || c === HASH) {
      this.i = lineEnd(text, i);
      this.i = skipBreak(text, this.i);
      return undefined;
    }
    if (indent === 0 && isDocumentMarker(text, i)) {
      this.indents.length = 0;
      this.i = i + 3;
      this.block = 0;
      this.lineIndent = -1;
      return this.rest(true);
    }
    while (this.indents.length > 0 && (this.indents[this.indents.length - 1] ?? 0) >= indent)
      this.indents.pop();
    this.indents.push(indent);
    this.lineIndent = indent;
    this.block = this.indents.length;
    if (this.block > this.maxDepth) return { offset: i };
    this.i = i;
    return this.rest(true);
  }

  /** The rest of a block-context line; `valueStart` is true where a node may begin. */
  private rest(valueStart: boolean): DepthExcess | undefined {
    const text = this.text;
    const n = text.length;
    let atValue = valueStart;
    while (this.i < n) {
      const i = this.i;
      const c = text.charCodeAt(i);
      if (c === LF || c === CR) {
        this.i = skipBreak(text, i);
        return undefined;
      }
      if (c === SPACE || c === TAB) {
        this.i++;
        continue;
      }
      if (c === HASH && (i === 0 || isBlank(text.charCodeAt(i - 1)))) {
        this.i = lineEnd(text, i);
        continue;
      }
      if (!atValue) {
        // Inside a plain scalar or key: only `: ` starts a value.
        if (c === COLON && isBlankOrEnd(text, i + 1)) atValue = true;
        this.i++;
        continue;
      }
      if ((c === DASH || c === QUESTION || c === COLON) && isBlankOrEnd(text, i + 1)) {
        if (c !== COLON && ++this.block > this.maxDepth) return { offset: i };
        this.i++;
        continue;
      }
      if (c === OPEN_BRACKET || c === OPEN_BRACE) {
        this.flow = 1;
        this.i++;
        if (this.block + this.flow > this.maxDepth) return { offset: i };
        return undefined;
      }
      if (c === DQUOTE || c === SQUOTE) {
        this.i = skipQuotedInLine(text, i);
        atValue = false;
        continue;
      }
      if (c === AMP || c === BANG) {
        this.i = tokenEnd(text, i);
        continue;
      }
      if (c === PIPE || c === GREATER) {
        const header = blockScalarHeaderEnd(text, i);
        if (header !== undefined) {
          this.i = skipBlockScalar(text, skipBreak(text, header), this.lineIndent);
          return undefined;
        }
      }
      atValue = false;
    }
    return undefined;
  }

  /** One token inside a flow collection (indentation means nothing there). */
  private flowStep(): DepthExcess | undefined {
    const text = this.text;
    const i = this.i;
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      this.i++;
      if (this.block + ++this.flow > this.maxDepth) return { offset: i };
      return undefined;
    }
    if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      this.i++;
      if (--this.flow === 0) return this.rest(false);
      return undefined;
    }
    const prev = i === 0 ? LF : text.charCodeAt(i - 1);
    const tokenStart = isBlank(prev) || prev === LF || prev === CR || isFlowIndicator(prev);
    if (c === HASH && (isBlank(prev) || prev === LF || prev === CR)) {
      this.i = lineEnd(text, i);
    } else if ((c === DQUOTE || c === SQUOTE) && tokenStart) {
      this.i = skipQuotedInLine(text, i);
    } else if (
      (c === DASH || c === DOT) &&
      (prev === LF || prev === CR) &&
      isDocumentMarker(text, i)
    ) {
      // A document marker ends every open flow collection (the parser reports the error).
      this.flow = 0;
    } else {
      this.i++;
    }
    return undefined;
  }
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isBlankOrEnd(text: string, i: number): boolean {
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === SPACE || c === TAB || c === LF || c === CR;
}

function isFlowIndicator(c: number): boolean {
  return (
    c === OPEN_BRACKET ||
    c === OPEN_BRACE ||
    c === COMMA ||
    c === COLON ||
    c === CLOSE_BRACKET ||
    c === CLOSE_BRACE
  );
}

function isDocumentMarker(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c !== DASH && c !== DOT) return false;
  return text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c && isBlankOrEnd(text, i + 3);
}

function lineEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === LF || c === CR) break;
    j++;
  }
  return j;
}

function skipBreak(text: string, i: number): number {
  if (text.charCodeAt(i) === CR) return text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
  if (text.charCodeAt(i) === LF) return i + 1;
  return i;
}

/** Offset of the closing `"` (or the end of the text). */
function skipDoubleQuoted(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === DQUOTE) return i;
  }
  return text.length;
}

/**
 * Offset just after a quoted scalar that closes on its line, or of the line break when it does
 * not (`''` escapes a single quote, `\\` escapes in double quotes).
 */
function skipQuotedInLine(text: string, open: number): number {
  const quote = text.charCodeAt(open);
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) return i;
    if (quote === DQUOTE && c === BACKSLASH) i++;
    else if (c === quote) {
      if (quote === SQUOTE && text.charCodeAt(i + 1) === SQUOTE) i++;
      else return i + 1;
    }
  }
  return text.length;
}

/**
 * The line end after a block scalar header (`|`, `>-`, `|2+`, then blanks and an optional
 * comment), or undefined when the line goes on with anything else (then it is not a block scalar
 * and the line is scanned as usual).
 */
function blockScalarHeaderEnd(text: string, indicator: number): number | undefined {
  let i = indicator + 1;
  for (let k = 0; k < 2; k++) {
    const c = text.charCodeAt(i);
    if (c === 43 /* + */ || c === DASH || (c >= 49 && c <= 57) /* 1-9 */) i++;
  }
  if (!isBlankOrEnd(text, i)) return undefined;
  while (isBlank(text.charCodeAt(i))) i++;
  const c = text.charCodeAt(i);
  if (i < text.length && c !== LF && c !== CR && c !== HASH) return undefined;
  return lineEnd(text, i);
}

/**
 * Offset of the first line after a block scalar whose content starts at `start` (a line start):
 * blank lines and lines indented at least as much as its first non-empty line, which must be
 * indented more than `parentIndent` (else the scalar is empty and nothing is skipped).
 */
function skipBlockScalar(text: string, start: number, parentIndent: number): number {
  let pos = start;
  let contentIndent: number | undefined;
  while (pos < text.length) {
    let j = pos;
    while (text.charCodeAt(j) === SPACE) j++;
    const spaces = j - pos;
    while (isBlank(text.charCodeAt(j))) j++;
    const c = text.charCodeAt(j);
    const blank = j >= text.length || c === LF || c === CR;
    if (!blank) {
      contentIndent ??= spaces > parentIndent ? spaces : Infinity;
      if (spaces < contentIndent) return pos;
    }
    pos = skipBreak(text, lineEnd(text, j));
  }
  return pos;
}

/** End of an anchor or tag token. */
function tokenEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length && !isBlankOrEnd(text, j) && !isFlowIndicator(text.charCodeAt(j))) j++;
  return j;
}
