import { findNodeAtLocation, getLocation, parseTree } from 'jsonc-parser';
import {
  type CompletionItem,
  CompletionItemKind,
  type Range,
  type TextEdit,
} from 'vscode-languageserver';
import type { JsonPath, ParsedFile, SyntaxNode } from '../core/model.js';
import { parseConfig } from '../core/parse/index.js';
import { computeLineStarts } from '../core/text.js';
import { toPosition } from './diagnostics.js';
import { postfixCompletionsAt } from './postfix-completion.js';
import { allowedValues, describe, firstOf, relayConfigSchema, type Schema } from './schema-nav.js';

/** A key no configuration uses: the probe we write at the cursor to learn where it is. */
const PROBE = 'relayLintCompletionProbe';

type Context =
  | {
      readonly kind: 'key';
      readonly path: JsonPath;
      readonly present: ReadonlySet<string>;
      readonly edit: EditSite;
    }
  | { readonly kind: 'value'; readonly path: JsonPath; readonly edit: EditSite };

interface EditSite {
  readonly start: number;
  readonly end: number;
  /** Text to add after a key (`: ` in YAML when no colon follows, `": "` in JSON…). */
  readonly keySuffix: string;
  readonly quote: boolean;
  /** Indentation of children of a key inserted here (YAML), for object and array keys. */
  readonly childIndent?: string;
}

/**
 * Completion of keys and enum values from the relay configuration schema; in Postfix files, of
 * parameter and restriction names (postfix-completion.ts). IIS and Exchange files are written
 * by their products, not by hand: nothing is offered there.
 */
export function completionsAt(
  text: string,
  format: ParsedFile['format'],
  offset: number,
): CompletionItem[] {
  if (format === 'postfix-main') return postfixCompletionsAt(text, 'main', offset);
  if (format === 'postfix-master') return postfixCompletionsAt(text, 'master', offset);
  if (format !== 'yaml' && format !== 'json') return [];
  const context = format === 'json' ? jsonContext(text, offset) : yamlContext(text, offset);
  if (context === undefined) return [];
  const lineStarts = computeLineStarts(text);
  const range: Range = {
    start: toPosition(lineStarts, context.edit.start),
    end: toPosition(lineStarts, context.edit.end),
  };
  return context.kind === 'key' ? keyItems(context, range) : valueItems(context, range);
}

function keyItems(context: Extract<Context, { kind: 'key' }>, range: Range): CompletionItem[] {
  const required = relayConfigSchema.required(context.path);
  const items: CompletionItem[] = [];
  for (const [name, schemas] of relayConfigSchema.properties(context.path)) {
    if (context.present.has(name)) continue;
    const label = name;
    const newText = insertKey(name, schemas, context.edit);
    items.push({
      label,
      kind: CompletionItemKind.Property,
      detail: detailOf(schemas, required.has(name)),
      ...documentation(schemas),
      sortText: `${required.has(name) ? '0' : '1'}${name}`,
      // The replaced range starts at the quote in JSON: filter on what is typed there.
      ...(context.edit.quote ? { filterText: JSON.stringify(name) } : {}),
      textEdit: { range, newText } satisfies TextEdit,
    });
  }
  return items;
}

function insertKey(name: string, schemas: readonly Schema[], edit: EditSite): string {
  const key = edit.quote ? JSON.stringify(name) : name;
  if (edit.keySuffix === '' || edit.childIndent === undefined) return key + edit.keySuffix;
  const type = firstOf(schemas, 'type');
  if (type === 'object') return `${key}:\n${edit.childIndent}`;
  if (type === 'array') return `${key}:\n${edit.childIndent}- `;
  return key + edit.keySuffix;
}

function valueItems(context: Extract<Context, { kind: 'value' }>, range: Range): CompletionItem[] {
  const schemas = relayConfigSchema.at(context.path);
  const fallback = firstOf(schemas, 'default');
  return allowedValues(schemas).map((value, i) => {
    const newText =
      context.edit.quote && typeof value === 'string' ? JSON.stringify(value) : String(value);
    return {
      label: String(value),
      kind: CompletionItemKind.EnumMember,
      ...(value === fallback ? { detail: 'default' } : {}),
      ...documentation(schemas),
      sortText: String(i).padStart(3, '0'),
      filterText: newText,
      textEdit: { range, newText },
    };
  });
}

function detailOf(schemas: readonly Schema[], required: boolean): string {
  const type = firstOf(schemas, 'type');
  const parts = [typeof type === 'string' ? type : 'value'];
  const fallback = firstOf(schemas, 'default');
  if (required) parts.push('required');
  else if (fallback !== undefined) parts.push(`default ${JSON.stringify(fallback)}`);
  return parts.join(', ');
}

function documentation(schemas: readonly Schema[]): Pick<CompletionItem, 'documentation'> {
  const value = describe(schemas);
  return value === undefined ? {} : { documentation: { kind: 'markdown', value } };
}

// ---- YAML: find the cursor's place by parsing the text with a probe written at the cursor.

function lineBounds(text: string, offset: number): { start: number; end: number } {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let end = offset;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  return { start, end };
}

const KEY_BEFORE = /^([ \t]*)((?:-[ \t]+)*)([A-Za-z_]*)$/;
const VALUE_BEFORE = /^([ \t]*)((?:-[ \t]+)*)([A-Za-z_][\w-]*)[ \t]*:[ \t]+([\w.-]*)$/;

function yamlContext(text: string, offset: number): Context | undefined {
  const line = lineBounds(text, offset);
  const before = text.slice(line.start, offset);
  const after = text.slice(offset, line.end);
  const word = /^[\w-]*/.exec(after)?.[0] ?? '';
  const rest = after.slice(word.length);
  const key = KEY_BEFORE.exec(before);
  if (key !== null && (rest.trim() === '' || /^[ \t]*:/.test(rest))) {
    const [, indent = '', dashes = '', typed = ''] = key;
    const hasColon = rest.trim() !== '';
    const probeLine = `${indent}${dashes}${PROBE}${hasColon ? rest : ': probe'}`;
    const found = probe(
      text,
      line,
      probeLine,
      (n) => n.kind === 'object' && n.entries.some((e) => e.key === PROBE),
    );
    if (found?.kind !== 'object') return undefined;
    const column = indent.length + dashes.length;
    return {
      kind: 'key',
      path: found.path,
      present: new Set(found.entries.map((e) => e.key).filter((k) => k !== PROBE)),
      edit: {
        start: offset - typed.length,
        end: offset + word.length,
        keySuffix: hasColon ? '' : ': ',
        quote: false,
        childIndent: ' '.repeat(column + 2),
      },
    };
  }
  const value = VALUE_BEFORE.exec(before);
  if (value !== null && rest.trim() === '') {
    const [, indent = '', dashes = '', name = '', typed = ''] = value;
    const probeLine = `${indent}${dashes}${name}: ${PROBE}`;
    const found = probe(text, line, probeLine, (n) => n.kind === 'scalar' && n.value === PROBE);
    if (found === undefined) return undefined;
    return {
      kind: 'value',
      path: found.path,
      edit: {
        start: offset - typed.length,
        end: offset + word.length,
        keySuffix: '',
        quote: false,
      },
    };
  }
  return undefined;
}

/** Replaces the cursor's line with `probeLine`, parses, and finds the node `match` picks. */
function probe(
  text: string,
  line: { start: number; end: number },
  probeLine: string,
  match: (node: SyntaxNode) => boolean,
): SyntaxNode | undefined {
  const probed = text.slice(0, line.start) + probeLine + text.slice(line.end);
  const parsed: ParsedFile = parseConfig('completion.yaml', probed, 'yaml');
  for (const doc of parsed.documents) {
    const hit = find(doc.root, match);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function find(
  node: SyntaxNode | undefined,
  match: (n: SyntaxNode) => boolean,
): SyntaxNode | undefined {
  if (node === undefined) return undefined;
  if (match(node)) return node;
  const children =
    node.kind === 'object'
      ? node.entries.map((e) => e.value)
      : node.kind === 'array'
        ? node.items
        : [];
  for (const c of children) {
    const hit = find(c, match);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

// ---- JSON: jsonc-parser knows the path at any offset, even in broken text.

function jsonContext(text: string, offset: number): Context | undefined {
  const location = getLocation(text, offset);
  const previous = location.previousNode;
  const typed =
    previous !== undefined &&
    offset >= previous.offset &&
    offset <= previous.offset + previous.length
      ? { start: previous.offset, end: previous.offset + previous.length }
      : { start: offset, end: offset };
  if (location.isAtPropertyKey) {
    const path = location.path.slice(0, -1);
    const tree = parseTree(text);
    const objectNode = tree === undefined ? undefined : findNodeAtLocation(tree, path);
    const present = new Set<string>();
    for (const p of objectNode?.children ?? []) {
      const k = p.children?.[0];
      if (k !== undefined && typeof k.value === 'string' && k.offset !== previous?.offset)
        present.add(k.value);
    }
    const colonFollows = /^[ \t]*:/.test(text.slice(typed.end));
    return {
      kind: 'key',
      path,
      present,
      edit: { ...typed, keySuffix: colonFollows ? '' : ': ', quote: true },
    };
  }
  const last = location.path[location.path.length - 1];
  if (typeof last !== 'string' && typeof last !== 'number') return undefined;
  if (
    previous !== undefined &&
    previous.type !== 'string' &&
    previous.type !== 'boolean' &&
    previous.type !== 'number'
  )
    return undefined;
  return { kind: 'value', path: location.path, edit: { ...typed, keySuffix: '', quote: true } };
}
