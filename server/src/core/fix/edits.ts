import type {
  ArrayNode,
  JsonPath,
  ObjectNode,
  ParsedFile,
  SyntaxNode,
  TextEdit,
} from '../model.js';
import { lineOf } from '../text.js';
import { nearest, samePath } from '../tree.js';

/** A value a fix can write; nested objects are rendered in the file's own style. */
export type FixValue =
  string | number | boolean | null | readonly FixValue[] | { readonly [k: string]: FixValue };

const PLAIN_SAFE = /^[A-Za-z0-9_][A-Za-z0-9_.\-/:@]*$/;
const YAML_RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

/** A scalar spelled for the file's format: JSON.stringify for JSON, plain or quoted YAML. */
export function spellScalar(file: ParsedFile, value: string | number | boolean | null): string {
  if (file.format === 'json' || typeof value !== 'string') return JSON.stringify(value);
  const looksNumeric = /^[-+.\d]/.test(value) && !Number.isNaN(Number(value));
  if (
    PLAIN_SAFE.test(value) &&
    !YAML_RESERVED.test(value) &&
    !looksNumeric &&
    !value.includes(': ')
  ) {
    return value;
  }
  return JSON.stringify(value);
}

/** Replaces the scalar at `node` with `value`, keeping the quoting style of the original. */
export function setScalar(
  file: ParsedFile,
  node: SyntaxNode,
  value: string | number | boolean,
): TextEdit[] {
  if (node.kind === 'scalar' && typeof value === 'string' && file.format === 'yaml') {
    const first = file.text[node.span.start];
    if (first === "'") return [{ span: node.span, text: `'${value.replace(/'/g, "''")}'` }];
    if (first === '"') return [{ span: node.span, text: JSON.stringify(value) }];
  }
  return [{ span: node.span, text: spellScalar(file, value) }];
}

function lineStartOf(file: ParsedFile, offset: number): number {
  return file.lineStarts[lineOf(file.lineStarts, offset)] ?? 0;
}

function nextLineStart(file: ParsedFile, offset: number): number {
  return file.lineStarts[lineOf(file.lineStarts, offset) + 1] ?? file.text.length;
}

function isFlow(file: ParsedFile, node: SyntaxNode): boolean {
  const c = file.text[node.span.start];
  return file.format === 'json' || c === '[' || c === '{';
}

/** The object entry (key + value) whose value is the node at `path`. */
function parentEntry(root: SyntaxNode | undefined, path: JsonPath) {
  const parent = nearest(root, path.slice(0, -1));
  if (parent?.kind !== 'object' || !samePath(parent.path, path.slice(0, -1))) return undefined;
  return parent.entries.find((e) => samePath(e.value.path, path));
}

/**
 * Removes item `index` of a list. In block YAML the item's lines go; in flow YAML and JSON the
 * item and one neighbouring comma go. Removing the last item leaves `[]`, so the file still
 * satisfies the schema.
 */
export function removeItem(
  file: ParsedFile,
  root: SyntaxNode | undefined,
  list: ArrayNode,
  index: number,
): TextEdit[] {
  const item = list.items[index];
  if (item === undefined) return [];
  if (list.items.length === 1) {
    const entry = parentEntry(root, list.path);
    if (entry !== undefined && !isFlow(file, list)) {
      return [{ span: { start: entry.keySpan.end + 1, end: list.span.end }, text: ' []' }];
    }
    if (isFlow(file, list)) return [{ span: list.span, text: '[]' }];
  }
  if (isFlow(file, list)) {
    const prev = list.items[index - 1];
    const next = list.items[index + 1];
    if (next !== undefined)
      return [{ span: { start: item.span.start, end: next.span.start }, text: '' }];
    if (prev !== undefined)
      return [{ span: { start: prev.span.end, end: item.span.end }, text: '' }];
    return [{ span: item.span, text: '' }];
  }
  // Block sequence: the item's own lines, from its "-" to the end of its last line. Comment lines
  // after it stay: they usually belong to the next item (a suppression directive, say).
  const start = lineStartOf(file, item.span.start);
  const next = list.items[index + 1];
  const ownEnd = nextLineStart(file, Math.max(item.span.end - 1, item.span.start));
  const end = next !== undefined ? Math.min(ownEnd, lineStartOf(file, next.span.start)) : ownEnd;
  return [{ span: { start, end }, text: '' }];
}

function indentOf(file: ParsedFile, offset: number): number {
  return offset - lineStartOf(file, offset);
}

function renderYaml(value: FixValue, indent: number, file: ParsedFile): string {
  if (value === null || typeof value !== 'object') return ` ${spellScalar(file, value)}`;
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return value.map((v: FixValue) => `\n${pad}-${renderYaml(v, indent + 2, file)}`).join('');
  }
  const entries = Object.entries(value as { readonly [k: string]: FixValue });
  if (entries.length === 0) return ' {}';
  return entries.map(([k, v]) => `\n${pad}${k}:${renderYaml(v, indent + 2, file)}`).join('');
}

function renderJson(value: FixValue, indent: number): string {
  const text = JSON.stringify(value, null, 2);
  return text.replace(/\n/g, `\n${' '.repeat(indent)}`);
}

/**
 * Inserts `key: value` into an object, after its last entry, indented like its siblings. Flow
 * maps and JSON get `, key: value` before the closing brace.
 */
export function insertKey(
  file: ParsedFile,
  object: ObjectNode,
  key: string,
  value: FixValue,
): TextEdit[] {
  const last = object.entries[object.entries.length - 1];
  if (file.format === 'json') {
    if (last === undefined) {
      const indent = indentOf(file, object.span.start) + 2;
      return [
        {
          span: { start: object.span.start + 1, end: object.span.start + 1 },
          text: `"${key}": ${renderJson(value, indent)}`,
        },
      ];
    }
    const indent = indentOf(file, last.keySpan.start);
    const sameLine =
      lineOf(file.lineStarts, last.keySpan.start) === lineOf(file.lineStarts, object.span.start);
    const sep = sameLine ? ', ' : `,\n${' '.repeat(indent)}`;
    return [
      {
        span: { start: last.value.span.end, end: last.value.span.end },
        text: `${sep}${JSON.stringify(key)}: ${renderJson(value, indent)}`,
      },
    ];
  }
  if (isFlow(file, object)) {
    const inline = JSON.stringify(value);
    if (last === undefined) {
      return [
        {
          span: { start: object.span.start + 1, end: object.span.start + 1 },
          text: ` ${key}: ${inline} `,
        },
      ];
    }
    return [
      {
        span: { start: last.value.span.end, end: last.value.span.end },
        text: `, ${key}: ${inline}`,
      },
    ];
  }
  const first = object.entries[0];
  const indent =
    first !== undefined ? indentOf(file, first.keySpan.start) : indentOf(file, object.span.start);
  const anchor = last !== undefined ? endOfNode(file, last.value) : object.span.end;
  const insertAt = nextLineStart(file, Math.max(anchor - 1, 0));
  const eol = file.text.includes('\r\n') ? '\r\n' : '\n';
  const needsBreak = insertAt === file.text.length && !/[\r\n]$/.test(file.text);
  const body = `${' '.repeat(indent)}${key}:${renderYaml(value, indent + 2, file)}`.replace(
    /\n/g,
    eol,
  );
  return [
    {
      span: { start: insertAt, end: insertAt },
      text: `${needsBreak ? eol : ''}${body}${needsBreak ? '' : eol}`,
    },
  ];
}

/** End offset of a value, past nested block content. */
function endOfNode(file: ParsedFile, node: SyntaxNode): number {
  let end = node.span.end;
  // A block value's span can stop before trailing comments on its last line; take the line end.
  while (end > 0 && (file.text[end - 1] === '\n' || file.text[end - 1] === '\r')) end--;
  return end;
}

/**
 * Sets `key` of `object` to a scalar: replaces the existing value, or inserts the key.
 */
export function upsertKey(
  file: ParsedFile,
  object: SyntaxNode | undefined,
  key: string,
  value: string | number | boolean,
): TextEdit[] {
  if (object?.kind !== 'object') return [];
  const existing = [...object.entries].reverse().find((e) => e.key === key);
  if (existing !== undefined) return setScalar(file, existing.value, value);
  return insertKey(file, object, key, value);
}
