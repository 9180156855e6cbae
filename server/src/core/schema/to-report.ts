import type { ErrorObject } from 'ajv';
import { firstLine } from '../spans.js';
import { type FixValue, insertKey, setScalar } from '../fix/edits.js';
import type { ConfigDocument, Fix, JsonPath, ParsedFile, SyntaxNode } from '../model.js';
import type { Report } from '../rule.js';
import { at, child, stringValue, toValue } from '../tree.js';
import { closest } from './did-you-mean.js';
import { SAFEST_VALUES } from './safest.js';
import { knownKeys } from './compile.js';
import { validateValue } from './validate.js';

type SchemaReport = Report<'schema'>;

export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** RLY000 reports for one document: ajv errors mapped to the exact key or value, plus unique names. */
export function schemaReports(file: ParsedFile, doc: ConfigDocument): SchemaReport[] {
  if (doc.root === undefined) {
    return [
      {
        messageId: 'schema',
        path: [],
        span: firstLine(file, doc),
        data: {
          message:
            'The document is empty: a relay configuration needs "version: 1" and a "servers" list.',
        },
      },
    ];
  }
  const errors = collapseMappingEntries(doc, relevant(validateValue(toValue(doc.root))));
  const reports = errors.map((e) => toReport(file, doc, e));
  return [...dedupe(reports), ...duplicateNames(doc)];
}

/** Drops ajv's wrapper errors ("must match then schema") and keeps one error per place and kind. */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  return errors.filter(
    (e) => e.keyword !== 'if' && !(e.keyword === 'oneOf' && hasDeeper(errors, e)),
  );
}

/**
 * A list entry that YAML read as a mapping without address or domain (`- ::` is `{":": null}`)
 * gets one message, not one per schema branch.
 */
function collapseMappingEntries(doc: ConfigDocument, errors: ErrorObject[]): ErrorObject[] {
  const stray = new Set<string>();
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    const node = at(doc.root, path);
    const isEntry = typeof path[path.length - 1] === 'number' && path[path.length - 2] === 'list';
    if (
      isEntry &&
      node?.kind === 'object' &&
      !node.entries.some((x) => x.key === 'address' || x.key === 'domain')
    ) {
      stray.add(e.instancePath);
    }
  }
  if (stray.size === 0) return errors;
  const out = errors.filter((e) => !stray.has(e.instancePath));
  for (const p of stray)
    out.push({
      keyword: 'type',
      instancePath: p,
      schemaPath: '',
      params: { type: 'string' },
    } as ErrorObject);
  return out;
}

function hasDeeper(errors: readonly ErrorObject[], e: ErrorObject): boolean {
  return errors.some(
    (o) =>
      o !== e &&
      o.keyword !== 'if' &&
      o.keyword !== 'oneOf' &&
      o.instancePath.startsWith(e.instancePath),
  );
}

function dedupe(reports: SchemaReport[]): SchemaReport[] {
  const seen = new Set<string>();
  return reports.filter((r) => {
    const k = `${JSON.stringify(r.path)}|${r.at ?? ''}|${String(r.data?.['message'])}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function describePath(path: JsonPath): string {
  const key = [...path].reverse().find((s): s is string => typeof s === 'string');
  return key === undefined ? 'the document' : `"${key}"`;
}

function shownValue(node: SyntaxNode | undefined): string {
  if (node === undefined) return 'nothing';
  if (node.kind === 'object') return 'a mapping';
  if (node.kind === 'array') return 'a list';
  if (node.value === null) return 'an empty value';
  return typeof node.value === 'string'
    ? `the string "${node.value}"`
    : `${typeof node.value} ${node.source}`;
}

function toReport(file: ParsedFile, doc: ConfigDocument, e: ErrorObject): SchemaReport {
  const path = pointerToPath(e.instancePath);
  const node = at(doc.root, path);
  const report = (message: string, extra: Partial<SchemaReport> = {}): SchemaReport => ({
    messageId: 'schema',
    path,
    data: { message },
    ...extra,
  });
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      const where = path.length === 0 ? 'the document' : describeOwner(doc, path);
      const value = SAFEST_VALUES[missing];
      const fixes: Fix[] =
        node?.kind === 'object' && value !== undefined
          ? [
              {
                title: `Add ${missing}: ${inline(value)}`,
                safe: false,
                preferred: true,
                edits: insertKey(file, node, missing, value),
              },
            ]
          : [];
      const message = `${where} lacks the required key "${missing}".`;
      if (path.length === 0)
        return report(capitalise(message), { span: firstLine(file, doc), fixes });
      return report(capitalise(message), { ...ownerAnchor(doc, path), fixes });
    }
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = knownKeys(e);
      const guess = closest(key, known);
      const hint =
        guess !== undefined
          ? ` Did you mean "${guess}"?`
          : known.length > 0
            ? ` Allowed keys: ${known.join(', ')}.`
            : '';
      return report(`Unknown key "${key}" in ${describePath(path)}: it is ignored.${hint}`, {
        path: [...path, key],
        at: 'key',
      });
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      const value = node?.kind === 'scalar' ? String(node.value) : '';
      const guess = closest(value, allowed);
      const fixes: Fix[] =
        guess !== undefined && node !== undefined
          ? [
              {
                title: `Change to "${guess}"`,
                safe: false,
                preferred: true,
                edits: setScalar(file, node, guess),
              },
            ]
          : [];
      const hint = guess !== undefined ? ` Did you mean "${guess}"?` : '';
      return report(
        `${capitalise(shownValue(node))} is not a valid ${describePath(path)}: use one of ${allowed.join(', ')}.${hint}`,
        { fixes },
      );
    }
    case 'const':
      return report(
        `${describePath(path)} must be ${JSON.stringify(params['allowedValue'])}, not ${shownValue(node)}.`,
      );
    case 'type':
      return report(typeMessage(path, node, String(params['type'])));
    case 'pattern':
      return report(
        `${capitalise(shownValue(node))} is not a valid ${describePath(path)}${patternHint(path)}.`,
      );
    case 'oneOf':
      return report(`A list entry needs exactly one of "address" and "domain".`);
    case 'minLength':
      return report(`${describePath(path)} must not be empty.`);
    default:
      return report(`${capitalise(describePath(path))} ${e.message ?? 'is invalid'}.`);
  }
}

function typeMessage(path: JsonPath, node: SyntaxNode | undefined, type: string): string {
  const inList = typeof path[path.length - 1] === 'number' && path[path.length - 2] === 'list';
  if (inList && node?.kind === 'object') {
    // `- ::` parses as a mapping in YAML; so does any entry that starts with a colon.
    return 'This list entry parsed as a mapping, not an address: quote entries that start with a colon (- "::1").';
  }
  if (inList)
    return `A list entry must be an address string, an address object or a domain object, not ${shownValue(node)}.`;
  const expected = type.replace(',', ' or ');
  const quotedBool =
    node?.kind === 'scalar' && typeof node.value === 'string' && /^(true|false)$/i.test(node.value);
  const hint = quotedBool ? ' Remove the quotes.' : '';
  return `${capitalise(describePath(path))} must be ${article(expected)}, not ${shownValue(node)}.${hint}`;
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function patternHint(path: JsonPath): string {
  if (path.includes('list')) return ': an entry is an address, CIDR, address/mask or range';
  if (path.includes('bindings')) return ': a binding is "address:port" or "[ipv6]:port"';
  return '';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function inline(v: FixValue): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** "listener \"Default\"", "server \"EDGE\"", or the key of the object. */
function describeOwner(doc: ConfigDocument, path: JsonPath): string {
  const node = at(doc.root, path);
  const name = stringValue(child(node, 'name'));
  const parentKey = path[path.length - 2];
  if (parentKey === 'servers')
    return `server ${name !== undefined ? `"${name}"` : `#${String(path[path.length - 1])}`}`;
  if (parentKey === 'listeners')
    return `listener ${name !== undefined ? `"${name}"` : `#${String(path[path.length - 1])}`}`;
  return `"${String(path[path.length - 1])}"`;
}

/** Where a missing key is reported: the key of the object that lacks it, or its name for list items. */
function ownerAnchor(doc: ConfigDocument, path: JsonPath): Pick<SchemaReport, 'path' | 'at'> {
  const last = path[path.length - 1];
  if (typeof last === 'string') return { path, at: 'key' };
  const node = at(doc.root, path);
  if (node?.kind === 'object') {
    const name = node.entries.find((x) => x.key === 'name') ?? node.entries[0];
    if (name !== undefined) return { path: [...path, name.key], at: 'key' };
  }
  return { path };
}

function duplicateNames(doc: ConfigDocument): SchemaReport[] {
  const out: SchemaReport[] = [];
  const check = (list: SyntaxNode | undefined, what: string): void => {
    if (list?.kind !== 'array') return;
    const seen = new Set<string>();
    for (const item of list.items) {
      const nameNode = child(item, 'name');
      const name = stringValue(nameNode);
      if (name === undefined || nameNode === undefined) continue;
      if (seen.has(name)) {
        out.push({
          messageId: 'schema',
          path: nameNode.path,
          data: {
            message: `${capitalise(what)} name "${name}" is used twice; names must be unique so findings and reports can tell them apart.`,
          },
        });
      }
      seen.add(name);
    }
  };
  const servers = child(doc.root, 'servers');
  check(servers, 'server');
  if (servers?.kind === 'array')
    for (const s of servers.items) check(child(s, 'listeners'), 'listener');
  return out;
}
