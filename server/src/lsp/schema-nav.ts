import relaySchema from '../../../schemas/relay-config.schema.json';
import type { JsonPath } from '../core/model.js';

/** A JSON Schema object, read as untyped data. */
export type Schema = Readonly<Record<string, unknown>>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A small navigator over one JSON Schema (draft 2020-12 as our schemas use it): JSON path →
 * the subschemas that may apply there, following `$ref` (local), `if`/`then`/`else`,
 * `allOf`/`anyOf`/`oneOf`, `properties` and `items`. Hover and completion read it.
 */
export class SchemaNavigator {
  constructor(private readonly root: Schema) {}

  /** Every schema that applies at `path` (site schemas before what their `$ref` points to). */
  at(path: JsonPath): Schema[] {
    let current = this.expand(this.root);
    for (const segment of path) {
      const next: Schema[] = [];
      for (const s of current) {
        const child = typeof segment === 'number' ? s['items'] : this.property(s, segment);
        if (isSchema(child)) next.push(...this.expand(child));
      }
      if (next.length === 0) return [];
      current = next;
    }
    return current;
  }

  /** The properties an object at `path` may have, each with its schemas (first site wins). */
  properties(path: JsonPath): Map<string, Schema[]> {
    const out = new Map<string, Schema[]>();
    for (const s of this.at(path)) {
      const props = s['properties'];
      if (!isSchema(props)) continue;
      for (const [name, sub] of Object.entries(props)) {
        if (!isSchema(sub) || out.has(name)) continue;
        out.set(name, this.expand(sub));
      }
    }
    return out;
  }

  /** Keys listed as `required` by some schema at `path`. */
  required(path: JsonPath): Set<string> {
    const out = new Set<string>();
    for (const s of this.at(path)) {
      const req = s['required'];
      if (Array.isArray(req)) for (const r of req) if (typeof r === 'string') out.add(r);
    }
    return out;
  }

  private property(schema: Schema, name: string): unknown {
    const props = schema['properties'];
    return isSchema(props) ? props[name] : undefined;
  }

  /** A schema and everything it delegates to, depth-first, without cycles. */
  expand(schema: Schema, seen: Set<Schema> = new Set()): Schema[] {
    if (seen.has(schema)) return [];
    seen.add(schema);
    const out: Schema[] = [schema];
    const ref = schema['$ref'];
    if (typeof ref === 'string') {
      const target = this.resolve(ref);
      if (target !== undefined) out.push(...this.expand(target, seen));
    }
    for (const key of ['then', 'else']) {
      const sub = schema[key];
      if (isSchema(sub)) out.push(...this.expand(sub, seen));
    }
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      const list = schema[key];
      if (!Array.isArray(list)) continue;
      for (const sub of list) if (isSchema(sub)) out.push(...this.expand(sub, seen));
    }
    return out;
  }

  /** Resolves a local JSON pointer (`#/$defs/listener`). */
  resolve(ref: string): Schema | undefined {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = this.root;
    for (const raw of ref
      .slice(1)
      .split('/')
      .filter((s) => s !== '')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = isSchema(node) ? node[key] : undefined;
    }
    return isSchema(node) ? node : undefined;
  }
}

/** The first Markdown (or plain) description among `schemas`. */
export function describe(schemas: readonly Schema[]): string | undefined {
  for (const s of schemas) {
    const md = s['markdownDescription'];
    if (typeof md === 'string') return md;
    const plain = s['description'];
    if (typeof plain === 'string') return plain;
  }
  return undefined;
}

export function firstOf(schemas: readonly Schema[], key: string): unknown {
  for (const s of schemas) if (key in s) return s[key];
  return undefined;
}

/** The scalar values a schema allows when it says so: `enum`, `const`, or boolean. */
export function allowedValues(schemas: readonly Schema[]): (string | number | boolean)[] {
  const out: (string | number | boolean)[] = [];
  const add = (v: unknown): void => {
    if (
      (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') &&
      !out.includes(v)
    )
      out.push(v);
  };
  for (const s of schemas) {
    const e = s['enum'];
    if (Array.isArray(e)) e.forEach(add);
    if ('const' in s) add(s['const']);
    if (s['type'] === 'boolean') [true, false].forEach(add);
  }
  return out;
}

/** The navigator of the relay configuration schema (`schemas/relay-config.schema.json`). */
export const relayConfigSchema = new SchemaNavigator(relaySchema);
