/**
 * Lookup tables and address patterns as Postfix 3.7 reads them.
 *
 *   openTable(instance, spec, item): PfTable           (cached per instance)
 *   tableLookup(table, key, partial): LookupResult
 *   accessAction(value): AccessAction                   (access(5) results)
 *   mynetworksEntries(instance, listener, hostAddresses?): MynetworksEntry[]
 *   mynetworksInfo(instance, listener, hostAddresses?): MynetworksInfo
 *   parseCidrPattern(pattern): CidrPattern              (util/cidr_match.c)
 *   classifyPattern(text): PatternInfo                  (util/match_ops.c match_hostaddr)
 *
 * Tables read: `cidr:` (file or inline `cidr:{{rule}, …}`; host-bits rules are skipped as
 * Postfix skips them), `inline:{k=v, …}`, `static:VALUE`, `texthash:` and `hash:`/`btree:`
 * (read from the source text file). A table of a type Postfix does not know is a "surrogate":
 * every lookup fails (451). Anything else (regexp, pcre, ldap, a file that cannot be read) is
 * unknown: the answer names it instead of guessing.
 */
import type { Span } from '../../model.js';
import { cidrInterval, IntervalSet, V4_BASE } from '../../net/interval-set.js';
import { formatAddress, parseAddress, parseStrictV4 } from '../../net/ip.js';
import { V4_ALL, V6_ALL } from '../../net/scope.js';
import { computeLineStarts, lineOf } from '../../text.js';
import { tokenize } from './expand.js';
import { defaultSpan, effectiveParam, isYes } from './instance.js';
import { isSpace, scanLines } from './lines.js';
import type {
  AccessAction,
  MynetworksEntry,
  PfItem,
  PfListener,
  PostfixInstance,
} from './model.js';

/** Dictionary types Postfix 3.7 knows (Debian builds most of them as plug-ins). */
const KNOWN_TYPES = new Set([
  'btree',
  'cdb',
  'cidr',
  'dbm',
  'environ',
  'fail',
  'hash',
  'inline',
  'internal',
  'ldap',
  'lmdb',
  'memcache',
  'mysql',
  'nis',
  'nisplus',
  'pcre',
  'pgsql',
  'pipemap',
  'proxy',
  'randmap',
  'regexp',
  'sdbm',
  'socketmap',
  'sqlite',
  'static',
  'tcp',
  'texthash',
  'unionmap',
  'unix',
]);

export interface CidrPattern {
  readonly family?: 4 | 6;
  /** The network (IPv4 in the unified space; IPv6 minus the IPv4-mapped block). */
  readonly set?: IntervalSet;
  /** Canonical model text (`10.0.0.0/8`, `2001:db8::/32`). */
  readonly modelText?: string;
  /** Why Postfix refuses the pattern (`non-null host address bits …`). */
  readonly error?: string;
  readonly hostBits?: boolean;
  /** The network the pattern would denote without its host bits. */
  readonly intended?: IntervalSet;
}

function v6Set(lo: bigint, hi: bigint): IntervalSet {
  // An IPv6 pattern never matches a client in ::ffff:0:0/96: Postfix turns those into IPv4.
  return IntervalSet.of(lo, hi).intersect(V6_ALL);
}

/** cidr_match_parse(): `[addr]/len`, `[addr/len]`, `addr/len`, `addr`. */
export function parseCidrPattern(input: string): CidrPattern {
  let pattern = input;
  let maskSearch: string;
  if (pattern.startsWith('[')) {
    pattern = pattern.slice(1);
    const close = pattern.indexOf(']');
    if (close < 0) return { error: `missing ']' character after "[${pattern}"` };
    const after = pattern.slice(close + 1);
    pattern = pattern.slice(0, close);
    if (after !== '' && !after.startsWith('/')) return { error: `garbage after "[${pattern}]"` };
    maskSearch = after === '' ? pattern : pattern + after;
  } else {
    maskSearch = pattern;
  }
  const slash = maskSearch.indexOf('/');
  const addrText = slash >= 0 ? maskSearch.slice(0, slash) : maskSearch;
  const family: 4 | 6 = addrText.includes(':') ? 6 : 4;
  const bits = family === 4 ? 32 : 128;
  const addr = ptonFamily(addrText, family);
  if (slash >= 0) {
    const mask = maskSearch.slice(slash + 1);
    if (!/^\d+$/.test(mask)) return { family, error: `bad mask value in "${addrText}/${mask}"` };
    const len = Number(mask);
    if (len > bits) return { family, error: `bad mask length in "${addrText}/${mask}"` };
    if (addr === undefined) return { family, error: `bad network value in "${addrText}/${mask}"` };
    const iv = cidrInterval(addr, len + (family === 4 ? 96 : 0), 128);
    const set = family === 4 ? IntervalSet.of(iv.lo, iv.hi) : v6Set(iv.lo, iv.hi);
    const netText = formatAddress(iv.lo, family);
    if (iv.lo !== addr) {
      return {
        family,
        hostBits: true,
        intended: set,
        modelText: family === 4 ? `${netText}/${len}` : `${netText}/${len}`,
        error: `non-null host address bits in "${addrText}/${mask}", perhaps you should use "${netText}/${len}" instead`,
      };
    }
    return { family, set, modelText: `${netText}/${len}` };
  }
  if (addr === undefined) return { family, error: `bad address pattern: "${addrText}"` };
  const set = family === 4 ? IntervalSet.of(addr, addr) : v6Set(addr, addr);
  return { family, set, modelText: formatAddress(addr, family) };
}

/** inet_pton for one family (strict dotted decimal; IPv6 without zone). */
function ptonFamily(text: string, family: 4 | 6): bigint | undefined {
  if (family === 4) {
    const n = parseStrictV4(text);
    return n === undefined ? undefined : V4_BASE + BigInt(n);
  }
  if (text.includes('%')) return undefined;
  const p = parseAddress(text);
  if (p.kind !== 'ok') return undefined;
  // inet_pton(AF_INET6) keeps an IPv4-mapped address as IPv6: its value is in the mapped block.
  return p.address.value;
}

/** A client address as Postfix sees it (IPv4-mapped IPv6 becomes IPv4). */
export interface ClientAddress {
  readonly value: bigint;
  readonly family: 4 | 6;
  /** As Postfix prints it (inet_ntop). */
  readonly text: string;
}

export function parseClient(text: string): ClientAddress | undefined {
  const p = parseAddress(text.trim().replace(/^\[|\]$/g, ''));
  if (p.kind !== 'ok' || p.address.zoneId !== undefined) return undefined;
  const a = p.address;
  if (a.family === 4) return { value: a.value, family: 4, text: formatAddress(a.value, 4) };
  return { value: a.value, family: 6, text: formatAddress(a.value, 6) };
}

export function clientFromValue(value: bigint): ClientAddress {
  const family: 4 | 6 = value >= V4_BASE && value <= V4_BASE + 0xffffffffn ? 4 : 6;
  return { value, family, text: formatAddress(value, family) };
}

// ---------------------------------------------------------------------------------------------
// Tables

export interface CidrRule {
  readonly negated: boolean;
  readonly pattern: string;
  readonly value: string;
  readonly parsed: CidrPattern;
  /** Skipped by Postfix (bad pattern or host bits; `cidr map …: skipping this rule`). */
  readonly skipped?: string;
  /** 1-based line in the table text. */
  readonly line: number;
  /** Span of the rule in the table text. */
  readonly span: Span;
}

export type PfTable =
  | {
      readonly kind: 'cidr';
      readonly spec: string;
      readonly rules: readonly CidrRule[];
      readonly source: string;
      /** IF/ENDIF blocks are not modelled: the table is then `unknown` for lookups. */
      readonly unsupported?: string;
    }
  | {
      readonly kind: 'map';
      readonly spec: string;
      readonly type: string;
      readonly entries: ReadonlyMap<string, string>;
      /** How the table was read (for traces): `inline`, the file path. */
      readonly source: string;
    }
  | { readonly kind: 'static'; readonly spec: string; readonly value: string }
  | { readonly kind: 'unknown'; readonly spec: string; readonly reason: string }
  | { readonly kind: 'broken'; readonly spec: string; readonly reason: string }
  | { readonly kind: 'fatal'; readonly spec: string; readonly reason: string };

export type LookupResult =
  | {
      readonly kind: 'found';
      readonly value: string;
      readonly rule?: CidrRule;
      readonly key: string;
    }
  | { readonly kind: 'miss' }
  | { readonly kind: 'error'; readonly reason: string }
  | { readonly kind: 'unknown'; readonly reason: string };

const tableCache = new WeakMap<PostfixInstance, Map<string, PfTable>>();

/** Splits `type:name`; undefined when there is no colon. */
export function splitSpec(spec: string): { type: string; name: string } | undefined {
  const c = spec.indexOf(':');
  if (c < 0) return undefined;
  return { type: spec.slice(0, c), name: spec.slice(c + 1) };
}

/** Opens a `type:name` table as Postfix would (dict_open), reading files through the instance. */
export function openTable(instance: PostfixInstance, spec: string): PfTable {
  let cache = tableCache.get(instance);
  if (cache === undefined) {
    cache = new Map();
    tableCache.set(instance, cache);
  }
  const hit = cache.get(spec);
  if (hit !== undefined) return hit;
  const t = openUncached(instance, spec);
  cache.set(spec, t);
  return t;
}

function openUncached(instance: PostfixInstance, spec: string): PfTable {
  const parts = splitSpec(spec);
  if (parts === undefined || parts.type === '' || parts.name === '') {
    return {
      kind: 'fatal',
      spec,
      reason: `open dictionary: expecting "type:name" form instead of "${spec}"`,
    };
  }
  const type = parts.type.toLowerCase();
  const name = parts.name;
  if (!KNOWN_TYPES.has(parts.type)) {
    return { kind: 'broken', spec, reason: `unsupported dictionary type: ${parts.type}` };
  }
  switch (type) {
    case 'static': {
      if (name.startsWith('{')) {
        const inner = stripBraces(name);
        if (inner === undefined) return { kind: 'broken', spec, reason: `bad static:name syntax` };
        return { kind: 'static', spec, value: inner };
      }
      return { kind: 'static', spec, value: name };
    }
    case 'inline':
      return openInline(spec, name);
    case 'cidr': {
      if (name.startsWith('{')) {
        const inner = stripBracesRaw(name);
        if (inner === undefined)
          return { kind: 'broken', spec, reason: 'cidr map: bad inline syntax' };
        const lines: string[] = [];
        for (const [s, e] of tokenize(inner)) {
          const tok = inner.slice(s, e);
          const rule = stripBraces(tok);
          if (rule === undefined) {
            return {
              kind: 'broken',
              spec,
              reason: `cidr map: no '{' at start of text in "${tok}"`,
            };
          }
          lines.push(rule);
        }
        return parseCidrTable(spec, lines.join('\n'), 'inline');
      }
      const text = readTableFile(instance, name);
      if (text === undefined) {
        return { kind: 'unknown', spec, reason: `the table file ${name} (${spec}) cannot be read` };
      }
      return parseCidrTable(spec, text, name);
    }
    case 'texthash': {
      const text = readTableFile(instance, name);
      if (text === undefined) {
        return { kind: 'unknown', spec, reason: `the table file ${name} (${spec}) cannot be read` };
      }
      return { kind: 'map', spec, type, entries: parsePostmapText(text), source: name };
    }
    case 'hash':
    case 'btree':
    case 'lmdb':
    case 'cdb':
    case 'dbm':
    case 'sdbm': {
      const text = readTableFile(instance, name);
      if (text === undefined) {
        return {
          kind: 'unknown',
          spec,
          reason: `${spec} is a database built by postmap; its source file ${name} cannot be read`,
        };
      }
      return {
        kind: 'map',
        spec,
        type,
        entries: parsePostmapText(text),
        source: `${name} (source of ${spec}; assumed to match its .db)`,
      };
    }
    case 'fail':
      return { kind: 'broken', spec, reason: `${spec} fails every lookup` };
    default:
      return {
        kind: 'unknown',
        spec,
        reason: `${spec}: ${type} tables are not read by relay-lint`,
      };
  }
}

function readTableFile(instance: PostfixInstance, path: string): string | undefined {
  if (instance.readFile === undefined) return undefined;
  try {
    return instance.readFile(path);
  } catch {
    return undefined;
  }
}

/** `{ text }` → trimmed text (extpar with strip); undefined when unbalanced. */
function stripBraces(text: string): string | undefined {
  const raw = stripBracesRaw(text);
  return raw === undefined ? undefined : raw.trim();
}

function stripBracesRaw(text: string): string | undefined {
  if (!text.startsWith('{')) return undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') {
      depth--;
      if (depth === 0) return i === text.length - 1 ? text.slice(1, i) : undefined;
    }
  }
  return undefined;
}

function openInline(spec: string, name: string): PfTable {
  const inner = stripBracesRaw(name);
  if (inner === undefined || inner.trim() === '') {
    return { kind: 'broken', spec, reason: `bad syntax: "${spec}"; need "inline:{name=value...}"` };
  }
  const entries = new Map<string, string>();
  for (const [s, e] of tokenize(inner)) {
    let tok = inner.slice(s, e);
    if (tok.startsWith('{')) {
      const t = stripBraces(tok);
      if (t === undefined) return { kind: 'broken', spec, reason: `bad syntax: "${spec}"` };
      tok = t;
    }
    const m = /^\s*([^\s=]+)\s*=\s*(.*?)\s*$/s.exec(tok);
    if (m === null) {
      return { kind: 'broken', spec, reason: `missing '=' after attribute name in "${tok}"` };
    }
    const key = (m[1] ?? '').replace(/^"(.*)"$/, '$1').toLowerCase();
    entries.set(key, m[2] ?? '');
  }
  return { kind: 'map', spec, type: 'inline', entries, source: 'inline' };
}

/** postmap input: `key value` per logical line (key = first blank-delimited word). */
export function parsePostmapText(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of scanLines(text).lines) {
    const t = line.text;
    let i = 0;
    while (i < t.length && !isSpace(t[i])) i++;
    const key = t.slice(0, i).toLowerCase();
    const value = t.slice(i).trim();
    if (key !== '' && !entries.has(key)) entries.set(key, value);
  }
  return entries;
}

function parseCidrTable(spec: string, text: string, source: string): PfTable {
  const rules: CidrRule[] = [];
  let unsupported: string | undefined;
  const starts = computeLineStarts(text);
  for (const line of scanLines(text).lines) {
    const lineNo = lineOf(starts, line.span.start) + 1;
    let p = line.text;
    if (/^(IF|ENDIF)(?![A-Za-z0-9])/i.test(p)) {
      unsupported = 'IF/ENDIF blocks';
      continue;
    }
    let negated = false;
    let k = 0;
    for (; k < p.length; k++) {
      if (p[k] === '!') negated = !negated;
      else if (!isSpace(p[k])) break;
    }
    p = p.slice(k);
    let e = 0;
    while (e < p.length && !isSpace(p[e])) e++;
    const pattern = p.slice(0, e);
    const value = p.slice(e).trim();
    const parsed = parseCidrPattern(pattern);
    const span = { start: line.firstLine.start, end: line.firstLine.end };
    let skipped: string | undefined = parsed.error;
    if (skipped === undefined && value === '') skipped = 'no lookup result';
    rules.push({
      negated,
      pattern,
      value,
      parsed,
      ...(skipped !== undefined ? { skipped } : {}),
      line: lineNo,
      span,
    });
  }
  return {
    kind: 'cidr',
    spec,
    rules,
    source,
    ...(unsupported !== undefined ? { unsupported } : {}),
  };
}

/**
 * One lookup. `partial` lookups (parent domains, shorter networks) only query "fixed" tables
 * (hash, texthash, inline, static), as maps_find(…, PARTIAL) does.
 */
export function tableLookup(table: PfTable, key: string, partial: boolean): LookupResult {
  switch (table.kind) {
    case 'static':
      return { kind: 'found', value: table.value, key };
    case 'map': {
      const v = table.entries.get(key.toLowerCase());
      return v === undefined ? { kind: 'miss' } : { kind: 'found', value: v, key };
    }
    case 'cidr': {
      if (partial) return { kind: 'miss' };
      if (table.unsupported !== undefined) {
        return { kind: 'unknown', reason: `${table.spec} uses ${table.unsupported}` };
      }
      const c = parseClient(key);
      if (c === undefined || !/^[0-9a-fA-F:.]+$/.test(key)) return { kind: 'miss' };
      for (const r of table.rules) {
        if (r.skipped !== undefined || r.parsed.set === undefined) continue;
        if (r.parsed.family !== c.family) continue;
        const inNet = inSet(r.parsed.set, c.value);
        if (inNet !== r.negated) return { kind: 'found', value: r.value, rule: r, key: r.pattern };
      }
      return { kind: 'miss' };
    }
    case 'broken':
      return { kind: 'error', reason: table.reason };
    case 'fatal':
      return { kind: 'error', reason: table.reason };
    case 'unknown':
      return { kind: 'unknown', reason: table.reason };
  }
}

function inSet(set: IntervalSet, v: bigint): boolean {
  for (const iv of set.intervals) if (v >= iv.lo && v <= iv.hi) return true;
  return false;
}

/** Address sets a table's keys denote (for U(L) cell boundaries). */
export function tableAddressSets(table: PfTable): IntervalSet[] {
  if (table.kind === 'cidr') {
    const out: IntervalSet[] = [];
    for (const r of table.rules) {
      if (r.parsed.set !== undefined) out.push(r.parsed.set);
      if (r.parsed.intended !== undefined) out.push(r.parsed.intended);
    }
    return out;
  }
  if (table.kind === 'map') {
    const out: IntervalSet[] = [];
    for (const key of table.entries.keys()) {
      const s = keyAddressSet(key);
      if (s !== undefined) out.push(s);
    }
    return out;
  }
  return [];
}

/** The addresses a fixed-table key matches through check_addr_access's partial lookups. */
function keyAddressSet(key: string): IntervalSet | undefined {
  if (/^\d+(\.\d+){0,3}$/.test(key)) {
    const parts = key.split('.');
    if (parts.some((p) => p !== String(Number(p)) || Number(p) > 255)) return undefined;
    let base = 0n;
    for (let i = 0; i < 4; i++) base = (base << 8n) + BigInt(Number(parts[i] ?? 0));
    const len = parts.length * 8;
    const iv = cidrInterval(V4_BASE + base, 96 + len, 128);
    return IntervalSet.of(iv.lo, iv.hi);
  }
  if (key.includes(':')) {
    const c = parseClient(key);
    if (c !== undefined && c.family === 6 && c.text === key)
      return IntervalSet.of(c.value, c.value);
    // Partial IPv6 keys ("2001:db8") denote a prefix of 16-bit groups.
    if (/^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){0,6}$/.test(key)) {
      const groups = key.split(':');
      let v = 0n;
      for (let i = 0; i < 8; i++) v = (v << 16n) + BigInt(parseInt(groups[i] ?? '0', 16));
      const iv = cidrInterval(v, groups.length * 16, 128);
      return v6Set(iv.lo, iv.hi);
    }
  }
  return undefined;
}

/** access(5) result text → action (check_table_result). */
export function accessAction(value: string): AccessAction {
  const v = value.trim();
  const m = /^(\S*)\s*(.*)$/s.exec(v);
  const cmd = (m?.[1] ?? '').toUpperCase();
  const text = m?.[2] ?? '';
  if (cmd === 'DUNNO') return { kind: 'dunno' };
  if (cmd === 'REJECT') return { kind: 'reject', code: 'map-reject' };
  if (cmd === 'DEFER') return { kind: 'defer', code: 'map-defer' };
  if (['INFO', 'WARN', 'FILTER', 'HOLD', 'DELAY', 'REDIRECT', 'BCC', 'PREPEND'].includes(cmd)) {
    return { kind: 'dunno' };
  }
  if (cmd === 'DISCARD') return { kind: 'ok', discard: true };
  if (cmd === 'DEFER_IF_PERMIT') return { kind: 'defer_if_permit' };
  if (cmd === 'DEFER_IF_REJECT') return { kind: 'defer_if_reject' };
  if (/^\d+$/.test(v)) return { kind: 'ok' };
  if (/^[45]\d\d$/.test(cmd) && text !== '') {
    return cmd.startsWith('4') ? { kind: 'defer', code: cmd } : { kind: 'reject', code: cmd };
  }
  if (cmd === 'OK' || cmd === 'RELAY') return { kind: 'ok' };
  if (v.includes(':')) return { kind: 'other', text: v };
  const items = tokenize(v).map(([s, e]) => v.slice(s, e));
  if (items.length === 0) return { kind: 'ok' };
  return { kind: 'restrictions', items };
}

// ---------------------------------------------------------------------------------------------
// mynetworks

/** What one mynetworks pattern does for a client of each family. */
export interface FamilyEffect {
  /** The addresses that match. */
  readonly set?: IntervalSet;
  /** Reaching the pattern with a client of this family gives 451 (a lookup error). */
  readonly error?: string;
}

export interface MynetworksPattern extends MynetworksEntry {
  readonly v4: FamilyEffect;
  readonly v6: FamilyEffect;
  /** A name pattern: matches the client's host name (reverse DNS). */
  readonly hostname?: string;
  /** A `type:table` pattern. */
  readonly table?: PfTable;
  /** smtpd refuses to start because of this entry. */
  readonly fatal?: string;
}

export interface MynetworksInfo {
  readonly entries: readonly MynetworksPattern[];
  /** mynetworks is not set: derived from mynetworks_style. */
  readonly derived: boolean;
  readonly style?: string;
  /** The value cannot be known (style needs host interfaces; a file cannot be read …). */
  readonly unknown?: string;
  /** Postfix refuses the value (expansion error, `!` without pattern, bad style). */
  readonly fatal?: string;
}

const V4_CHARS = /^[0-9.]*$/;
const V6_PATTERN_CHARS = /^[0-9a-fA-F:.[\]/]*$/;

/** How match_hostaddr() treats a non-table pattern (see match_ops.c). */
export function classifyPattern(pattern: string): {
  v4: FamilyEffect;
  v6: FamilyEffect;
  cidr?: CidrPattern;
} {
  const p = pattern.toLowerCase();
  const exact = exactAddress(p);
  const v4: { set?: IntervalSet; error?: string } = {};
  const v6: { set?: IntervalSet; error?: string } = {};
  if (exact !== undefined) (exact.family === 4 ? v4 : v6).set = exact.set;
  const fam: 4 | 6 = p.includes(':') ? 6 : 4;
  const noSlashOrColon = !p.includes(':') && !p.includes('/');
  if (noSlashOrColon || V4_CHARS.test(p) || !V6_PATTERN_CHARS.test(p)) {
    return { v4, v6 };
  }
  const cidr = parseCidrPattern(p);
  const target = fam === 4 ? v4 : v6;
  if (cidr.error !== undefined) {
    target.error = cidr.error;
    delete target.set;
  } else if (cidr.set !== undefined) {
    target.set = exact?.set !== undefined ? cidr.set.union(exact.set) : cidr.set;
  }
  return { v4, v6, cidr };
}

/** strcmp(addr, pattern) / `[addr]`: the single address a pattern equals as text, if any. */
function exactAddress(p: string): { family: 4 | 6; set: IntervalSet } | undefined {
  const inner = p.startsWith('[') && p.endsWith(']') ? p.slice(1, -1) : p;
  const c = parseClient(inner);
  if (c === undefined) return undefined;
  if (c.text !== inner) return undefined;
  if (c.family === 6 && c.value >= V4_BASE && c.value <= V4_BASE + 0xffffffffn) return undefined;
  return { family: c.family, set: IntervalSet.of(c.value, c.value) };
}

function patternEntry(
  instance: PostfixInstance,
  item: PfItem,
  text: string,
  negatedIn: boolean,
  depth: number,
  out: MynetworksPattern[],
  problems: { unknown?: string; fatal?: string },
): void {
  let negated = negatedIn;
  let k = 0;
  while (text[k] === '!') {
    negated = !negated;
    k++;
  }
  const pat = text.slice(k);
  if (item.unknown !== undefined) {
    const unknown = `mynetworks holds ${item.unknown}`;
    problems.unknown ??= unknown;
    out.push({ item, negated, kind: 'invalid', unknown, v4: {}, v6: {} });
    return;
  }
  if (pat === '') {
    problems.fatal ??= `mynetworks: no pattern after '!' in "${text}"`;
    out.push({ item, negated, kind: 'invalid', v4: {}, v6: {}, fatal: problems.fatal });
    return;
  }
  if (pat.startsWith('/')) {
    const content = depth < 5 ? readTableFile(instance, pat) : undefined;
    if (content === undefined) {
      const reason = `the mynetworks file ${pat} cannot be read`;
      problems.unknown ??= reason;
      out.push({ item, negated, kind: 'file', unknown: reason, v4: {}, v6: {} });
      return;
    }
    for (const line of scanLines(content).lines) {
      for (const [s, e] of tokenize(line.text)) {
        patternEntry(instance, item, line.text.slice(s, e), negated, depth + 1, out, problems);
      }
    }
    return;
  }
  if (!pat.startsWith('[') && pat.includes(':')) {
    const table = openTable(instance, pat);
    const looksV6 = /^[0-9a-fA-F:.]*(\/\d+)?$/.test(pat);
    if (table.kind === 'fatal') {
      problems.fatal ??= table.reason;
      out.push({
        item,
        negated,
        kind: looksV6 ? 'bad-v6' : 'invalid',
        v4: {},
        v6: {},
        table,
        fatal: table.reason,
      });
      return;
    }
    if (looksV6 && table.kind === 'broken') {
      out.push({
        item,
        negated,
        kind: 'bad-v6',
        v4: { error: table.reason },
        v6: { error: table.reason },
        table,
      });
      return;
    }
    out.push({
      item,
      negated,
      kind: 'table',
      v4: {},
      v6: {},
      table,
      ...(table.kind === 'unknown' ? { unknown: table.reason } : {}),
    });
    return;
  }
  const cls = classifyPattern(pat);
  const cidr = cls.cidr;
  const anySet = cls.v4.set ?? cls.v6.set;
  if (cidr?.hostBits === true) {
    out.push({
      item,
      negated,
      kind: 'hostbits',
      v4: cls.v4,
      v6: cls.v6,
      ...(cidr.intended !== undefined ? { set: cidr.intended } : {}),
      ...(cidr.modelText !== undefined ? { modelText: cidr.modelText } : {}),
    });
    return;
  }
  if (anySet !== undefined) {
    const modelText =
      cidr?.modelText ??
      (cls.v4.set !== undefined
        ? formatAddress(cls.v4.set.intervals[0]?.lo ?? 0n, 4)
        : formatAddress(cls.v6.set?.intervals[0]?.lo ?? 0n, 6));
    out.push({ item, negated, kind: 'cidr', set: anySet, modelText, v4: cls.v4, v6: cls.v6 });
    return;
  }
  if (cls.v4.error !== undefined || cls.v6.error !== undefined) {
    out.push({ item, negated, kind: 'invalid', v4: cls.v4, v6: cls.v6 });
    return;
  }
  // A name: matched against the client's host name (reverse DNS) only.
  out.push({ item, negated, kind: 'hostname', v4: {}, v6: {}, hostname: pat.toLowerCase() });
}

/** Derived mynetworks (mynetworks_style) for known interface addresses; undefined if unknown. */
function derivedValue(style: string, addresses: readonly string[]): string | undefined {
  const out: string[] = [];
  for (const raw of addresses) {
    const [addrText, lenText] = raw.split('/');
    const c = parseClient(addrText ?? '');
    if (c === undefined) return undefined;
    const len = lenText !== undefined && /^\d+$/.test(lenText) ? Number(lenText) : undefined;
    if (c.family === 4) {
      const n = Number(c.value - V4_BASE);
      let prefix: number;
      if (style === 'host') prefix = 32;
      else if (style === 'class') {
        const top = n >>> 24;
        if (top < 128) prefix = 8;
        else if (top < 192) prefix = 16;
        else if (top < 224) prefix = 24;
        else if (top < 240) prefix = 4;
        else return undefined;
      } else {
        if (len === undefined) return undefined;
        prefix = len;
      }
      const iv = cidrInterval(c.value, 96 + prefix, 128);
      out.push(`${formatAddress(iv.lo, 4)}/${prefix}`);
    } else {
      let prefix: number;
      if (style === 'host') prefix = 128;
      else {
        if (len === undefined) return undefined;
        prefix = len;
      }
      const iv = cidrInterval(c.value, prefix, 128);
      out.push(`[${formatAddress(iv.lo, 6)}]/${prefix}`);
    }
  }
  return out.join(' ');
}

/** The interface addresses Postfix uses (inet_interfaces), when they can be known. */
export function ownAddresses(
  instance: PostfixInstance,
  hostAddresses: readonly string[] | undefined,
): readonly string[] | undefined {
  const ifaces = effectiveParam(instance, undefined, 'inet_interfaces').value.trim().toLowerCase();
  const protocols = effectiveParam(instance, undefined, 'inet_protocols').value.toLowerCase();
  const v4ok = /all|ipv4/.test(protocols);
  const v6ok = /all|ipv6/.test(protocols);
  const keep = (a: string): boolean => {
    const c = parseClient(a.split('/')[0] ?? '');
    return c !== undefined && (c.family === 4 ? v4ok : v6ok);
  };
  if (ifaces === 'all') return hostAddresses?.filter(keep);
  if (ifaces === 'loopback-only') return ['127.0.0.1/8', '::1/128'].filter(keep);
  const out: string[] = [];
  for (const [s, e] of tokenize(ifaces)) {
    const t = ifaces.slice(s, e).replace(/^\[|\]$/g, '');
    if (t === 'localhost') out.push('127.0.0.1/8', '::1/128');
    else if (t === '127.0.0.1') out.push('127.0.0.1/8');
    else if (t === '::1') out.push('::1/128');
    else {
      const c = parseClient(t);
      if (c === undefined) return undefined;
      const known = hostAddresses?.find(
        (h) => parseClient(h.split('/')[0] ?? '')?.value === c.value,
      );
      out.push(known ?? t);
    }
  }
  return out.filter(keep);
}

const infoCache = new WeakMap<PostfixInstance, Map<string, MynetworksInfo>>();

/** mynetworks for a listener, every pattern classified as match_list reads it. */
export function mynetworksInfo(
  instance: PostfixInstance,
  listener: PfListener | undefined,
  hostAddresses?: readonly string[],
): MynetworksInfo {
  const key = `${listener?.service.index ?? -1}\u0000${hostAddresses?.join(',') ?? '?'}`;
  let cache = infoCache.get(instance);
  if (cache === undefined) {
    cache = new Map();
    infoCache.set(instance, cache);
  }
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const p = effectiveParam(instance, listener, 'mynetworks');
  const problems: { unknown?: string; fatal?: string } = {};
  const entries: MynetworksPattern[] = [];
  let derived = false;
  let style: string | undefined;
  let items: readonly PfItem[] = p.items;
  if (p.error !== undefined) {
    problems.fatal = `mynetworks: ${p.error}`;
    items = [];
  } else if (p.origin === 'default') {
    derived = true;
    style = effectiveParam(instance, listener, 'mynetworks_style').value.trim().toLowerCase();
    if (!['host', 'subnet', 'class'].includes(style)) {
      problems.fatal = `bad mynetworks_style value: ${style}; specify exactly one value`;
      items = [];
    } else {
      const own = ownAddresses(instance, hostAddresses);
      const value = own === undefined ? undefined : derivedValue(style, own);
      if (value === undefined) {
        problems.unknown = `mynetworks is not set: mynetworks_style = ${style} trusts ${style === 'host' ? "the server's own addresses" : "the networks of the server's interfaces"}, which a static linter does not know (give --host-addresses)`;
        items = [];
      } else {
        // Derived entries point at the mynetworks_style setting, or where defaults go.
        const styleDef = effectiveParam(instance, listener, 'mynetworks_style').def;
        const span = styleDef?.valueSpan ?? defaultSpan(instance.main);
        const file = styleDef?.file ?? 'main.cf';
        items = tokenize(value).map(([s, e]) => ({
          text: value.slice(s, e),
          span,
          file,
          ...(styleDef === undefined ? { isDefault: true } : {}),
        }));
      }
    }
  }
  for (const item of items) patternEntry(instance, item, item.text, false, 0, entries, problems);
  const info: MynetworksInfo = {
    entries,
    derived,
    ...(style !== undefined ? { style } : {}),
    ...(problems.unknown !== undefined ? { unknown: problems.unknown } : {}),
    ...(problems.fatal !== undefined ? { fatal: problems.fatal } : {}),
  };
  cache.set(key, info);
  return info;
}

/** The entries of mynetworks for a listener (what the adapter shows as relay allow entries). */
export function mynetworksEntries(
  instance: PostfixInstance,
  listener: PfListener | undefined,
  hostAddresses?: readonly string[],
): MynetworksEntry[] {
  return [...mynetworksInfo(instance, listener, hostAddresses).entries];
}

/** Whether the client's host name is known to be "unknown" (no reverse lookup). */
export function peernameLookup(
  instance: PostfixInstance,
  listener: PfListener | undefined,
): boolean {
  return isYes(effectiveParam(instance, listener, 'smtpd_peername_lookup'));
}

export { V4_ALL, V6_ALL };
