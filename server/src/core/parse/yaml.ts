import {
  type Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
  type Node as YamlNode,
} from 'yaml';
import type { Document } from 'yaml';
import type {
  ConfigDocument,
  Entry,
  JsonPath,
  Problem,
  ScalarNode,
  Span,
  SyntaxNode,
} from '../model.js';
import { fastParseYaml } from './fast-yaml.js';
import { LIMITS } from './limits.js';

export interface YamlParse {
  readonly documents: ConfigDocument[];
  readonly problems: Problem[];
}

class Budget {
  nodes = 0;
  exceeded: Problem | undefined;
  readonly unresolved: Problem[] = [];
  readonly duplicates: Problem[] = [];
  constructor(readonly aliases: ReadonlyMap<Alias, YamlNode | undefined>) {}
}

/**
 * Parses a YAML stream into one tree per document, with exact UTF-16 spans. Files in the plain
 * subset relay files use are read by the fast reader (fast-yaml.ts); everything else, errors
 * included, by `yaml` (`parseYamlReference`), which the fast reader is tested against.
 */
export function parseYaml(text: string): YamlParse {
  const fast = fastParseYaml(text);
  if (fast !== undefined) return { documents: fast, problems: [] };
  return parseYamlReference(text);
}

/** The reference: `yaml`'s composed documents, converted to our tree. */
export function parseYamlReference(text: string): YamlParse {
  const problems: Problem[] = [];
  const documents: ConfigDocument[] = [];
  // Duplicate keys are found while converting: yaml's own check compares every key with every
  // other key of its map, which takes minutes on a map of 20,000 keys.
  const stream = withoutStackTraces(() =>
    parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false, strict: true }),
  );
  // An empty stream is an empty array that carries its own errors (e.g. a lone `...`).
  const docs: readonly Document.Parsed[] = stream;
  if ('errors' in stream) {
    for (const e of stream.errors) problems.push(toProblem(e.message, e.pos, text.length));
  }
  docs.forEach((doc, index) => {
    for (const e of doc.errors) problems.push(toProblem(e.message, e.pos, text.length));
    const budget = new Budget(aliasTargets(doc));
    const contents = doc.contents as YamlNode | null;
    const root = contents === null ? undefined : convert(contents, [], budget, 0, text);
    problems.push(...budget.duplicates);
    if (budget.exceeded !== undefined) problems.push(budget.exceeded);
    // yaml reports a missing anchor only when converting to JS; report each one here.
    if (doc.errors.length === 0) problems.push(...budget.unresolved);
    const [start, , end] = doc.range;
    documents.push({ index, span: { start, end }, root });
  });
  return { documents, problems };
}

/**
 * yaml builds an Error (with a stack trace) for every problem it finds; on a hostile file with a
 * million stray brackets, capturing those traces dominates the parse. Nothing reads them.
 */
function withoutStackTraces<T>(parse: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parse();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * The node each alias refers to: the last node with its anchor before it, in document order
 * (yaml's `Alias.resolve` semantics). One pass for the document instead of `resolve`'s pass per
 * alias, which made a file of 20,000 aliases take minutes.
 */
function aliasTargets(doc: Document.Parsed): Map<Alias, YamlNode | undefined> {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<Alias, YamlNode | undefined>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor !== undefined) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

function toProblem(message: string, pos: readonly [number, number], length: number): Problem {
  const start = Math.min(pos[0], length);
  const end = Math.min(Math.max(pos[1], start), length);
  // First line of yaml's message only: the rest repeats the source with a caret.
  const first = message.split('\n')[0] ?? message;
  const text = first.replace(/ at line \d+, column \d+:?$/, '').trim();
  return { message: /[.?!]$/.test(text) ? text : `${text}.`, span: { start, end } };
}

function spanOf(node: YamlNode, fallback: Span): Span {
  const r = node.range;
  if (r === null || r === undefined) return fallback;
  return { start: r[0], end: r[1] };
}

function convert(
  node: YamlNode,
  path: JsonPath,
  budget: Budget,
  depth: number,
  text: string,
  site?: Span,
): SyntaxNode | undefined {
  budget.nodes++;
  const span = site ?? spanOf(node, { start: 0, end: 0 });
  if (budget.exceeded !== undefined) return undefined;
  if (budget.nodes > LIMITS.maxNodes) {
    budget.exceeded = {
      message: `The document expands to more than ${LIMITS.maxNodes.toLocaleString('en-US')} nodes (an alias bomb?); it is not analysed.`,
      span,
    };
    return undefined;
  }
  if (depth > LIMITS.maxDepth) {
    budget.exceeded = {
      message: `The document nests deeper than ${LIMITS.maxDepth} levels; it is not analysed.`,
      span,
    };
    return undefined;
  }
  if (isAlias(node)) {
    const target = budget.aliases.get(node);
    if (target === undefined) {
      budget.unresolved.push({
        message: `Unresolved alias *${node.source}: no anchor &${node.source} precedes it.`,
        span: spanOf(node, span),
      });
      return undefined;
    }
    // Everything reached through an alias is reported at the alias itself.
    return convert(target, path, budget, depth + 1, text, site ?? spanOf(node, span));
  }
  if (isMap(node)) {
    const entries: Entry[] = [];
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const key = keyText(keyNode);
      const keySpan = site ?? (keyNode !== null ? spanOf(keyNode, span) : span);
      // Reported once, where it is written, not again at every alias of the map.
      if (seen.has(key) && site === undefined) {
        budget.duplicates.push({
          message: `Map keys must be unique: "${key}" is repeated.`,
          span: keySpan,
        });
      }
      seen.add(key);
      const valueNode = pair.value as YamlNode | null;
      const childPath = [...path, key];
      const value =
        valueNode === null
          ? nullScalar(childPath, site ?? { start: keySpan.end, end: keySpan.end })
          : convert(valueNode, childPath, budget, depth + 1, text, site);
      if (value !== undefined) entries.push({ key, keySpan, value });
    }
    return {
      kind: 'object',
      span: blockEnd(
        span,
        entries.map((e) => e.value.span),
        text,
        site,
      ),
      path,
      entries,
    };
  }
  if (isSeq(node)) {
    const items: SyntaxNode[] = [];
    node.items.forEach((item, i) => {
      const childPath = [...path, i];
      const child =
        item === null
          ? nullScalar(childPath, span)
          : convert(item as YamlNode, childPath, budget, depth + 1, text, site);
      if (child !== undefined) items.push(child);
    });
    return {
      kind: 'array',
      span: blockEnd(
        span,
        items.map((i) => i.span),
        text,
        site,
      ),
      path,
      items,
    };
  }
  if (isScalar(node)) {
    const v = node.value;
    const value =
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
        ? v
        : v instanceof Uint8Array
          ? '[binary]'
          : JSON.stringify(v);
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    const raw = node.range ? text.slice(node.range[0], node.range[1]) : String(v);
    return {
      kind: 'scalar',
      span,
      path,
      value,
      quoted,
      source: quoted || typeof v === 'string' ? String(v) : raw,
    };
  }
  return undefined;
}

/**
 * yaml's range for a block collection runs past its last line break and any comments after it;
 * a block collection ends where its last child ends. Flow collections end at their bracket.
 */
function blockEnd(
  span: Span,
  children: readonly Span[],
  text: string,
  site: Span | undefined,
): Span {
  if (site !== undefined) return span;
  const first = text[span.start];
  if (first === '[' || first === '{') return span;
  const last = children.reduce((m, c) => Math.max(m, c.end), span.start);
  return { start: span.start, end: children.length > 0 ? last : span.end };
}

function nullScalar(path: JsonPath, span: Span): ScalarNode {
  return { kind: 'scalar', span, path, value: null, quoted: false, source: '' };
}

function keyText(key: YamlNode | null): string {
  if (key === null) return '';
  if (isScalar(key)) return String(key.value);
  return key.toString();
}
