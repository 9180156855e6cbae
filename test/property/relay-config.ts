import fc from 'fast-check';
import { parse as parseYamlValue } from 'yaml';

// Arbitrary relay configurations for the property tests: a structured model (servers, listeners,
// modes, lists with entries in every notation, including invalid and ambiguous ones) and three
// renderings of it (YAML block style, YAML flow style, JSON), plus random text mutations.

/** A YAML plain scalar written as such: numbers in address positions (`10.1`, `167772161`). */
export interface Unquoted {
  readonly unquoted: string;
}

export type Value =
  string | number | boolean | Unquoted | readonly Value[] | { readonly [key: string]: Value };

function isUnquoted(v: Value): v is Unquoted {
  return typeof v === 'object' && !Array.isArray(v) && 'unquoted' in v;
}

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const privateV4 = fc.oneof(
  fc.tuple(octet, octet, octet).map(([a, b, c]) => `10.${a}.${b}.${c}`),
  fc.tuple(octet, octet).map(([a, b]) => `192.168.${a}.${b}`),
  fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([a, b, c]) => `172.${a}.${b}.${c}`),
);
const anyV4 = fc.oneof(privateV4, ipv4, fc.constantFrom('127.0.0.1', '0.0.0.0', '8.8.8.8'));
const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipv6 = fc.oneof(
  fc.tuple(hextet, hextet).map(([a, b]) => `2001:db8:${a}::${b}`),
  fc.tuple(hextet, hextet).map(([a, b]) => `fd00:${a}::${b}`),
  fc.tuple(hextet).map(([a]) => `fe80::${a}`),
  fc.constantFrom('::1', '::', '2001:0DB8:0000:0000:0000:0000:0000:0001', '::ffff:10.0.0.1'),
);

/** A list entry string: valid, host bits set, masks, ranges, IPv6, ambiguous, special, broken. */
const entryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: anyV4 },
  {
    weight: 3,
    arbitrary: fc.tuple(anyV4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        anyV4,
        fc.constantFrom(
          '255.255.255.0',
          '255.255.0.0',
          '255.0.0.0',
          '255.255.0.255',
          '0.0.0.0',
          '255.255.255.255',
        ),
      )
      .map(([a, m]) => `${a}/${m}`),
  },
  { weight: 2, arbitrary: fc.tuple(anyV4, anyV4).map(([a, b]) => `${a}-${b}`) },
  { weight: 2, arbitrary: ipv6 },
  {
    weight: 2,
    arbitrary: fc.tuple(ipv6, fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '010.0.0.1',
      '10.1',
      '10.0.1',
      '0x0a000001',
      '0xA.0.0.1',
      '10.0.0.1/33',
      '10.0.0.256',
      '1.2.3.4/0',
      '0.0.0.0/0',
      '::/0',
      '::ffff:0:0/96',
      '::ffff:10.0.0.0/104',
      '64:ff9b::/96',
      '64:ff9b::10.0.0.1',
      '2002::/16',
      '2001::/32',
      '::/96',
      'fe80::1%11',
      'fe80::1%eth0',
      '192.0.2.0/24',
      '198.18.0.0/15',
      '224.0.0.0/4',
      '240.0.0.0/4',
      '255.255.255.255',
      '100.64.0.0/10',
      '10.0.0.10-10.0.0.1',
      '10.0.0.1-::1',
      '1:2:3:4:5:6:7:8:9',
      '10..0.1',
      '-',
    ),
  },
);

const domainName = fc.oneof(
  fc.constantFrom('corp.example.com', 'app01.corp.example.com', 'com', 'co.uk', 'example.org.'),
  fc
    .tuple(fc.constantFrom('app', 'mx', 'smtp'), fc.nat(99))
    .map(([h, n]) => `${h}${n}.example.net`),
);

/** An entry: a string, an unquoted YAML number, an address object or a domain object. */
export const entry: fc.Arbitrary<Value> = fc.oneof(
  { weight: 8, arbitrary: entryString },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('10.1', '167772161', '10.10', '192.168')
      .map((s): Value => ({ unquoted: s })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        entryString,
        fc.option(fc.constantFrom('billing app', 'OPS-112', 'ticket #7: "x"'), { nil: undefined }),
      )
      .map(([address, note]): Value => (note === undefined ? { address } : { address, note })),
  },
  { weight: 1, arbitrary: domainName.map((domain): Value => ({ domain })) },
);

const list = fc.array(entry, { maxLength: 6 });
const mode = fc.constantFrom('onlyList', 'allExcept');

/** Optional keys: present or absent, at random. */
function optional<T extends Value>(
  key: string,
  arb: fc.Arbitrary<T>,
): fc.Arbitrary<Record<string, Value>> {
  return fc.option(arb, { nil: undefined }).map((v) => (v === undefined ? {} : { [key]: v }));
}

const authentication = fc
  .tuple(
    fc.boolean(),
    optional('basic', fc.boolean()),
    optional('integratedWindows', fc.boolean()),
    optional('requireTls', fc.boolean()),
  )
  .map(([anonymous, ...rest]): Value => Object.assign({ anonymous }, ...rest) as Value);

const relay = fc
  .tuple(mode, optional('list', list), optional('allowAuthenticated', fc.boolean()))
  .map(([m, ...rest]): Value => Object.assign({ mode: m }, ...rest) as Value);

const connection = fc
  .tuple(mode, optional('list', list))
  .map(([m, l]): Value => ({ mode: m, ...l }));

const binding = fc.oneof(
  fc.constantFrom('0.0.0.0:25', '127.0.0.1:25', '[::1]:587', '10.0.0.5:25', '[::]:25'),
  fc.tuple(anyV4, fc.constantFrom(25, 465, 587)).map(([a, p]) => `${a}:${p}`),
);

const listener = (name: string): fc.Arbitrary<Value> =>
  fc
    .tuple(
      optional('role', fc.constantFrom('relay', 'inbound', 'submission')),
      optional('enabled', fc.boolean()),
      optional('bindings', fc.array(binding, { minLength: 1, maxLength: 2 })),
      optional('exposure', fc.constantFrom('internet', 'internal')),
      optional('connection', connection),
      authentication,
      relay,
    )
    .map(
      ([role, enabled, bindings, exposure, conn, auth, rel]): Value =>
        Object.assign({ name }, role, enabled, bindings, exposure, conn, {
          authentication: auth,
          relay: rel,
        }) as Value,
    );

const acceptedDomain = fc
  .tuple(
    fc.oneof(domainName, fc.constantFrom('*', '*.example.com', '*.com')),
    fc.constantFrom('authoritative', 'internalRelay', 'externalRelay'),
  )
  .map(([domain, type]): Value => ({ domain, type }));

const server = (index: number): fc.Arbitrary<Value> =>
  fc
    .tuple(
      optional(
        'product',
        fc.constantFrom(
          'iis-smtp',
          'exchange-2003',
          'exchange',
          'postfix',
          'exim',
          'sendmail',
          'other',
        ),
      ),
      optional('defaultDomain', domainName),
      optional('acceptedDomains', fc.array(acceptedDomain, { maxLength: 2 })),
      fc
        .integer({ min: 1, max: 2 })
        .chain((n) =>
          fc.tuple(...Array.from({ length: n }, (_, i) => listener(`Listener ${index}-${i}`))),
        ),
    )
    .map(
      ([product, defaultDomain, domains, listeners]): Value =>
        Object.assign({ name: `SMTP-${index}` }, product, defaultDomain, domains, {
          listeners,
        }) as Value,
    );

/** A relay configuration that the schema accepts (entries may still be wrong or ambiguous). */
export const relayConfig: fc.Arbitrary<Value> = fc
  .integer({ min: 1, max: 2 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => server(i + 1))))
  .map((servers): Value => ({ version: 1, servers }));

/** The value a loader sees (unquoted numbers become numbers). */
export function toPlain(v: Value): unknown {
  if (isUnquoted(v)) return parseYamlValue(v.unquoted) as unknown;
  if (Array.isArray(v)) return v.map((x: Value) => toPlain(x));
  if (typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  }
  return v;
}

export type Style =
  | {
      readonly kind: 'block';
      readonly indent: 2 | 4;
      readonly flowLists: boolean;
      readonly quote: 'plain' | 'single' | 'double';
    }
  | { readonly kind: 'flow' }
  | { readonly kind: 'json'; readonly indent: 0 | 2 | 4 };

export const style: fc.Arbitrary<Style> = fc.oneof(
  fc
    .record({
      indent: fc.constantFrom(2 as const, 4 as const),
      flowLists: fc.boolean(),
      quote: fc.constantFrom('plain' as const, 'single' as const, 'double' as const),
    })
    .map((s): Style => ({ kind: 'block', ...s })),
  fc.constant<Style>({ kind: 'flow' }),
  fc
    .constantFrom(0 as const, 2 as const, 4 as const)
    .map((indent): Style => ({ kind: 'json', indent })),
);

/** Renders a configuration; `.json` for JSON styles, `.yaml` otherwise. */
export function render(v: Value, s: Style): { name: string; text: string } {
  if (s.kind === 'json') {
    return { name: 'gen.relay.json', text: `${JSON.stringify(toPlain(v), null, s.indent)}\n` };
  }
  if (s.kind === 'flow') return { name: 'gen.relay.yaml', text: `${flow(v, 'double')}\n` };
  return { name: 'gen.relay.yaml', text: block(v, s, 0).join('\n') + '\n' };
}

function scalar(
  v: string | number | boolean | Unquoted,
  quote: 'plain' | 'single' | 'double',
  inFlow: boolean,
): string {
  if (typeof v === 'object') return v.unquoted;
  if (typeof v !== 'string') return String(v);
  const plainOk =
    quote === 'plain' &&
    /^[0-9A-Za-z][0-9A-Za-z._/:*%-]*$/.test(v) &&
    !(inFlow && v.includes(':')) &&
    readsBack(v);
  if (plainOk) return v;
  if (quote === 'single' && !v.includes('\n')) return `'${v.replace(/'/g, "''")}'`;
  return JSON.stringify(v);
}

/** Whether `v`, written plain, reads back as the same string (not a number, boolean or null). */
function readsBack(v: string): boolean {
  try {
    return parseYamlValue(v) === v;
  } catch {
    return false;
  }
}

function flow(v: Value, quote: 'plain' | 'single' | 'double'): string {
  if (Array.isArray(v)) return `[${v.map((x: Value) => flow(x, quote)).join(', ')}]`;
  if (typeof v === 'object' && !isUnquoted(v)) {
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${flow(x, quote)}`)
      .join(', ')} }`;
  }
  return scalar(v as string | number | boolean | Unquoted, quote, true);
}

function block(v: Value, s: Extract<Style, { kind: 'block' }>, depth: number): string[] {
  const pad = ' '.repeat(depth);
  const step = s.indent;
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const item of v as readonly Value[]) {
      if (typeof item === 'object' && !Array.isArray(item) && !isUnquoted(item)) {
        const inner = block(item, s, depth + step);
        const first = inner[0] ?? '';
        out.push(`${pad}-${' '.repeat(step - 1)}${first.slice(depth + step)}`, ...inner.slice(1));
      } else {
        out.push(`${pad}- ${scalar(item as string | number | boolean | Unquoted, s.quote, false)}`);
      }
    }
    return out;
  }
  const out: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, Value>)) {
    if (Array.isArray(x)) {
      const arr = x as readonly Value[];
      if (arr.length === 0 || (s.flowLists && k === 'list'))
        out.push(`${pad}${k}: ${flow(x, s.quote)}`);
      else out.push(`${pad}${k}:`, ...block(x, s, depth + step));
    } else if (typeof x === 'object' && !isUnquoted(x)) {
      out.push(`${pad}${k}:`, ...block(x, s, depth + step));
    } else {
      out.push(`${pad}${k}: ${scalar(x as string | number | boolean | Unquoted, s.quote, false)}`);
    }
  }
  return out;
}

/** Deletions, insertions and swaps of characters, drawn with YAML's and JSON's syntax in mind. */
export type Mutation =
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'swap'; readonly at: number; readonly other: number };

const noise = fc.constantFrom(
  '\n',
  ' ',
  '  ',
  '\t',
  '-',
  '- ',
  ':',
  ': ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '"',
  "'",
  '#',
  '&a ',
  '*a',
  '!!str ',
  '|',
  '>',
  '?',
  '\r\n',
  '\r',
  '\uFEFF',
  '\uD800',
  '\u0000',
  '%',
  '@',
  '`',
  '---\n',
  '...\n',
  '<<: *a\n',
  'version: 1\n',
  '10.0.0.0/8',
  '\\',
  '0x',
  '}}}}',
  '[[[[',
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(noise, fc.string({ maxLength: 6 })),
  }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
);

export function mutate(text: string, mutations: readonly Mutation[]): string {
  let t = text;
  for (const m of mutations) {
    const n = t.length;
    if (n === 0 && m.kind !== 'insert') continue;
    const at = n === 0 ? 0 : m.at % (n + (m.kind === 'insert' ? 1 : 0));
    switch (m.kind) {
      case 'delete':
        t = t.slice(0, at) + t.slice(at + m.length);
        break;
      case 'insert':
        t = t.slice(0, at) + m.text + t.slice(at);
        break;
      case 'swap': {
        const b = m.other % n;
        const [i, j] = at < b ? [at, b] : [b, at];
        if (i !== j)
          t = t.slice(0, i) + (t[j] ?? '') + t.slice(i + 1, j) + (t[i] ?? '') + t.slice(j + 1);
        break;
      }
    }
  }
  return t;
}
