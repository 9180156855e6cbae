import {
  type Node as JsonNode,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';
import type { Problem, Span } from '../../model.js';
import { jsonDepthExcess } from '../../parse/depth.js';
import { LIMITS } from '../../parse/limits.js';

/**
 * Small helpers over jsonc-parser's tree: the Exchange reader walks the raw tree (with offsets)
 * instead of the shared SyntaxNode conversion, whose node limit is sized for hand-written relay
 * files, not for an export of a large organisation.
 */
export type { JsonNode };

export interface JsonText {
  readonly root: JsonNode | undefined;
  readonly problems: Problem[];
}

const WORDS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'Invalid symbol',
  InvalidNumberFormat: 'Invalid number format',
  PropertyNameExpected: 'A property name in double quotes was expected',
  ValueExpected: 'A value was expected',
  ColonExpected: 'A colon was expected',
  CommaExpected: 'A comma was expected',
  CloseBraceExpected: 'A closing brace "}" was expected',
  CloseBracketExpected: 'A closing bracket "]" was expected',
  EndOfFileExpected: 'The end of the file was expected',
  InvalidCommentToken: 'JSON does not allow comments',
  UnexpectedEndOfString: 'Unterminated string',
  InvalidCharacter: 'Invalid character in a string',
};

/** Parses strict JSON; never throws. A byte order mark is read as white space (offsets kept). */
export function parseJsonText(text: string): JsonText {
  const excess = jsonDepthExcess(text, LIMITS.maxDepth);
  if (excess !== undefined) {
    return {
      root: undefined,
      problems: [
        {
          message: `The document nests deeper than ${LIMITS.maxDepth} levels; it is not analysed.`,
          span: { start: excess.offset, end: excess.offset + 1 },
        },
      ],
    };
  }
  const source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const fast = fastParse(source);
  if (fast !== undefined) return { root: fast, problems: [] };
  // Not well-formed: jsonc-parser recovers and reports every error, with good positions.
  const errors: ParseError[] = [];
  const root = parseTree(source, errors, { disallowComments: true, allowTrailingComma: false });
  const problems = errors.slice(0, LIMITS.maxProblems).map((e) => ({
    message: `${WORDS[printParseErrorCode(e.error)] ?? printParseErrorCode(e.error)} (the file is not valid JSON).`,
    span: { start: e.offset, end: e.offset + Math.max(e.length, 0) },
  }));
  return { root, problems };
}

export function spanOf(node: JsonNode): Span {
  return { start: node.offset, end: node.offset + node.length };
}

/** Properties of an object node by lower-cased name (PowerShell names are case-insensitive). */
export class Props {
  private readonly map = new Map<string, { key: JsonNode; value: JsonNode }>();

  constructor(readonly node: JsonNode | undefined) {
    if (node?.type !== 'object') return;
    for (const p of node.children ?? []) {
      const [k, v] = p.children ?? [];
      if (k === undefined || v === undefined) continue;
      // The last definition wins, as in PowerShell's ConvertFrom-Json and JSON.parse.
      this.map.set(String(k.value).toLowerCase(), { key: k, value: v });
    }
  }

  get isObject(): boolean {
    return this.node?.type === 'object';
  }

  /** The value of the first of `names` that is present (and not JSON null). */
  get(...names: string[]): JsonNode | undefined {
    for (const n of names) {
      const hit = this.map.get(n.toLowerCase());
      if (hit !== undefined && hit.value.type !== 'null') return hit.value;
    }
    return undefined;
  }

  keySpan(name: string): Span | undefined {
    const hit = this.map.get(name.toLowerCase());
    return hit === undefined ? undefined : spanOf(hit.key);
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
}

export function stringOf(node: JsonNode | undefined): string | undefined {
  return node?.type === 'string' ? (node.value as string) : undefined;
}

/** A JSON value as text: strings as they are, numbers and booleans as written. */
export function textOf(node: JsonNode | undefined, text: string): string | undefined {
  if (node === undefined) return undefined;
  if (node.type === 'string') return node.value as string;
  if (node.type === 'number' || node.type === 'boolean')
    return text.slice(node.offset, node.offset + node.length);
  return undefined;
}

/**
 * A PowerShell boolean as exported: `true`, `"True"`, or a SwitchParameter `{ "IsPresent": … }`.
 * Undefined when absent or unreadable.
 */
export function boolOf(node: JsonNode | undefined): boolean | undefined {
  if (node === undefined) return undefined;
  if (node.type === 'boolean') return node.value as boolean;
  if (node.type === 'string') {
    const v = (node.value as string).trim().toLowerCase();
    if (v === 'true' || v === '$true' || v === '1') return true;
    if (v === 'false' || v === '$false' || v === '0') return false;
    return undefined;
  }
  if (node.type === 'number') return (node.value as number) !== 0;
  if (node.type === 'object') return boolOf(new Props(node).get('IsPresent', 'value'));
  return undefined;
}

/** Elements of an array; a single value stands for a one-element array (ConvertTo-Json does that). */
export function elementsOf(node: JsonNode | undefined): JsonNode[] {
  if (node === undefined || node.type === 'null') return [];
  if (node.type === 'array') return node.children ?? [];
  // Windows PowerShell serialises some arrays as { "value": [...], "Count": n }.
  if (node.type === 'object') {
    const p = new Props(node);
    const inner = p.get('value');
    if (inner?.type === 'array' && p.has('count')) return inner.children ?? [];
  }
  return [node];
}

// ---- a fast strict parser for well-formed input ------------------------------------------------

/**
 * A strict JSON parser that builds the same node shape as jsonc-parser's `parseTree` (type,
 * offset, length, value, children; properties as `property` nodes holding key and value), several
 * times faster on large exports because it keeps no parent links and allocates less. It gives up
 * (undefined) at the first error, and the caller asks jsonc-parser for the error report.
 * Nesting is bounded by the depth pre-scan, so recursion is safe.
 */
class Fail extends Error {}

interface MutableNode {
  type: JsonNode['type'];
  offset: number;
  length: number;
  value?: unknown;
  children?: MutableNode[];
}

export function fastParse(text: string): JsonNode | undefined {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };
  const fail = (): never => {
    throw new Fail();
  };
  const str = (): MutableNode => {
    const start = i;
    i++;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 32) fail();
      i++;
    }
    if (i >= n) fail();
    i++;
    const raw = text.slice(start, i);
    let value: string;
    if (!escaped) value = raw.slice(1, -1);
    else {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        return fail();
      }
    }
    return { type: 'string', offset: start, length: i - start, value };
  };
  const NUM = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): MutableNode => {
    ws();
    const c = text.charCodeAt(i);
    const start = i;
    if (c === 123) {
      i++;
      const children: MutableNode[] = [];
      ws();
      if (text.charCodeAt(i) === 125) {
        i++;
        return { type: 'object', offset: start, length: i - start, children };
      }
      for (;;) {
        ws();
        if (text.charCodeAt(i) !== 34) fail();
        const key = str();
        ws();
        if (text.charCodeAt(i) !== 58) fail();
        i++;
        const v = value();
        children.push({
          type: 'property',
          offset: key.offset,
          length: v.offset + v.length - key.offset,
          children: [key, v],
        });
        ws();
        const d = text.charCodeAt(i);
        i++;
        if (d === 125) break;
        if (d !== 44) fail();
      }
      return { type: 'object', offset: start, length: i - start, children };
    }
    if (c === 91) {
      i++;
      const children: MutableNode[] = [];
      ws();
      if (text.charCodeAt(i) === 93) {
        i++;
        return { type: 'array', offset: start, length: i - start, children };
      }
      for (;;) {
        children.push(value());
        ws();
        const d = text.charCodeAt(i);
        i++;
        if (d === 93) break;
        if (d !== 44) fail();
      }
      return { type: 'array', offset: start, length: i - start, children };
    }
    if (c === 34) return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return { type: 'boolean', offset: start, length: 4, value: true };
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return { type: 'boolean', offset: start, length: 5, value: false };
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return { type: 'null', offset: start, length: 4, value: null };
    }
    NUM.lastIndex = i;
    const m = NUM.exec(text);
    if (m === null || m[0] === '') return fail();
    i += m[0].length;
    return { type: 'number', offset: start, length: m[0].length, value: Number(m[0]) };
  };
  try {
    const root = value();
    ws();
    if (i !== n) return undefined;
    return root;
  } catch (e) {
    if (e instanceof Fail) return undefined;
    // A RangeError (stack) cannot happen below the depth limit; any surprise goes to jsonc-parser.
    return undefined;
  }
}
