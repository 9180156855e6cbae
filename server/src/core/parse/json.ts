import {
  type Node as JsonNode,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';
import type { ConfigDocument, Entry, JsonPath, Problem, SyntaxNode } from '../model.js';
import { LIMITS } from './limits.js';

export interface JsonParse {
  readonly documents: ConfigDocument[];
  readonly problems: Problem[];
}

const MESSAGES: Record<string, string> = {
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
  UnexpectedEndOfComment: 'Unexpected end of comment',
  UnexpectedEndOfString: 'Unterminated string',
  UnexpectedEndOfNumber: 'Unexpected end of number',
  InvalidUnicode: 'Invalid Unicode escape',
  InvalidEscapeCharacter: 'Invalid escape character',
  InvalidCharacter: 'Invalid character in a string',
};

/** Parses strict JSON (no comments, no trailing commas) into the shared tree. */
export function parseJson(text: string): JsonParse {
  const errors: ParseError[] = [];
  // Windows tools write a byte order mark that jsonc-parser calls an invalid symbol; read it as
  // white space, which keeps every offset.
  const source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const tree = parseTree(source, errors, { disallowComments: true, allowTrailingComma: false });
  const problems: Problem[] = errors.map((e) => {
    const code = printParseErrorCode(e.error);
    return {
      message: `${MESSAGES[code] ?? code}.`,
      span: { start: e.offset, end: e.offset + Math.max(e.length, 0) },
    };
  });
  const state = { nodes: 0, exceeded: undefined as Problem | undefined };
  const root = tree === undefined ? undefined : convert(tree, [], problems, state, 0, text);
  if (state.exceeded !== undefined) problems.push(state.exceeded);
  return { documents: [{ index: 0, span: { start: 0, end: text.length }, root }], problems };
}

function convert(
  node: JsonNode,
  path: JsonPath,
  problems: Problem[],
  state: { nodes: number; exceeded: Problem | undefined },
  depth: number,
  text: string,
): SyntaxNode | undefined {
  const span = { start: node.offset, end: node.offset + node.length };
  if (state.exceeded !== undefined) return undefined;
  if (++state.nodes > LIMITS.maxNodes || depth > LIMITS.maxDepth) {
    state.exceeded = {
      message:
        depth > LIMITS.maxDepth
          ? `The document nests deeper than ${LIMITS.maxDepth} levels; it is not analysed.`
          : `The document has more than ${LIMITS.maxNodes} nodes; it is not analysed.`,
      span,
    };
    return undefined;
  }
  switch (node.type) {
    case 'object': {
      const entries: Entry[] = [];
      const seen = new Set<string>();
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (k === undefined) continue;
        const key = String(k.value);
        const keySpan = { start: k.offset, end: k.offset + k.length };
        if (seen.has(key)) {
          // Same wording as the YAML parser's, so both formats read alike.
          // jsonc-parser keeps the last value silently; in a security setting that hides intent.
          problems.push({
            message: `Map keys must be unique: "${key}" is repeated.`,
            span: keySpan,
          });
        }
        seen.add(key);
        if (v === undefined) continue;
        const value = convert(v, [...path, key], problems, state, depth + 1, text);
        if (value !== undefined) entries.push({ key, keySpan, value });
      }
      return { kind: 'object', span, path, entries };
    }
    case 'array': {
      const items: SyntaxNode[] = [];
      (node.children ?? []).forEach((c, i) => {
        const child = convert(c, [...path, i], problems, state, depth + 1, text);
        if (child !== undefined) items.push(child);
      });
      return { kind: 'array', span, path, items };
    }
    case 'string':
    case 'number':
    case 'boolean':
    case 'null': {
      const value = node.value as string | number | boolean | null;
      const source = node.type === 'string' ? String(value) : text.slice(span.start, span.end);
      return { kind: 'scalar', span, path, value, quoted: node.type === 'string', source };
    }
    case 'property':
      return undefined;
  }
}
