import type {
  ArrayNode,
  Entry,
  JsonPath,
  ObjectNode,
  Problem,
  ScalarNode,
  Span,
  SyntaxNode,
} from '../../model.js';
import {
  BlobError,
  decodeIpSecList,
  dotted,
  entriesOf,
  type FlatEntry,
  hexToBytes,
  type HexBytes,
  type IpSecList,
  type ListMeaning,
  meaningOf,
  SINGLE_HOST_MASK,
} from './ipsec-blob.js';
import type { XmlElement } from './metabase.js';
import {
  ACCESS_SSL_FLAGS,
  attrOf,
  AUTH_FLAGS,
  effectiveProperty,
  type FlagValue,
  numberOf,
  parseFlags,
  type Property,
  type PropertyName,
} from './properties.js';

/**
 * The synthetic model tree (SPEC §1 shape) of a metabase, built by hand with every node's span
 * on the native text that produced it (SPEC §7.3), and the IIS data the format keeps beside it
 * (decoded blobs, the properties as written) for refine, explain and hover.
 */

/** A decoded `RelayIpList` or `IPSecurity`. */
export interface IisBlob {
  readonly property: Property;
  readonly hex: HexBytes;
  /** undefined for an empty value (`RelayIpList=""`). */
  readonly list: IpSecList | undefined;
  readonly meaning: ListMeaning;
  /** The entries the IIS dialog shows for the mode (the placeholder grant left out). */
  readonly entries: readonly FlatEntry[];
  /** The value was written in upper-case hex (a re-encoded blob keeps the case). */
  readonly upper: boolean;
}

export type ListKind = 'relay' | 'connection';

export interface IisServer {
  readonly element: XmlElement;
  readonly location: string;
  readonly locationSpan: Span;
  readonly name: string;
  readonly path: JsonPath;
  readonly listenerPath: JsonPath;
  readonly properties: ReadonlyMap<PropertyName, Property>;
  readonly authFlags: FlagValue;
  readonly accessSsl: FlagValue;
  readonly relayForAuth: boolean;
  readonly relay?: IisBlob;
  readonly connection?: IisBlob;
  readonly bindings: readonly string[];
}

export interface EntryRef {
  readonly server: IisServer;
  readonly kind: ListKind;
  /** Index into the blob's shown `entries`. */
  readonly index: number;
}

export interface IisData {
  readonly servers: readonly IisServer[];
  readonly service?: XmlElement;
}

/**
 * The blob entry a model path names (`servers/i/listeners/0/relay/list/k`, or a domain entry's
 * `…/k/domain`), or undefined.
 */
export function entryAt(data: IisData, path: JsonPath): EntryRef | undefined {
  const [s, i, l, z, kind, list, k] = path;
  if (s !== 'servers' || l !== 'listeners' || z !== 0 || list !== 'list') return undefined;
  if (typeof i !== 'number' || typeof k !== 'number') return undefined;
  if (kind !== 'relay' && kind !== 'connection') return undefined;
  if (path.length > 8 || (path.length === 8 && path[7] !== 'domain')) return undefined;
  const server = data.servers[i];
  const blob = kind === 'relay' ? server?.relay : server?.connection;
  if (server === undefined || blob === undefined || k >= blob.entries.length) return undefined;
  return { server, kind, index: k };
}

/**
 * Entries one blob may hold for the linter to analyse. IIS Manager lists a few hundred at most;
 * a list beyond this is refused with one clear problem rather than analysed for minutes.
 */
export const MAX_BLOB_ENTRIES = 10_000;

export interface IisView {
  readonly data: IisData;
  readonly root: SyntaxNode;
  readonly problems: readonly Problem[];
}

const PROPS: readonly PropertyName[] = [
  'AuthFlags',
  'AccessSSLFlags',
  'IPSecurity',
  'ServerBindings',
  'ServerComment',
  'RelayIpList',
  'RelayForAuth',
  'DefaultDomain',
];

function scalar(
  path: JsonPath,
  span: Span,
  value: string | number | boolean,
  quoted = typeof value === 'string',
): ScalarNode {
  return { kind: 'scalar', path, span, value, source: String(value), quoted };
}

function entry(key: string, keySpan: Span, value: SyntaxNode): Entry {
  return { key, keySpan, value };
}

function object(path: JsonPath, span: Span, entries: Entry[]): ObjectNode {
  return { kind: 'object', path, span, entries };
}

function array(path: JsonPath, span: Span, items: SyntaxNode[]): ArrayNode {
  return { kind: 'array', path, span, items };
}

function isSmtpServer(el: XmlElement): string | undefined {
  if (el.name.toLowerCase() !== 'iissmtpserver') return undefined;
  const loc = attrOf(el, 'Location')?.value.trim();
  return loc !== undefined && /^\/LM\/SmtpSvc\/[^/]+$/i.test(loc) ? loc : undefined;
}

function isSmtpService(el: XmlElement): boolean {
  const loc = attrOf(el, 'Location')?.value.trim();
  return el.name.toLowerCase() === 'iissmtpservice' && /^\/LM\/SmtpSvc\/?$/i.test(loc ?? '');
}

/** The span of an entry's hex digits: its 4 address bytes, or a name's bytes. */
function entrySpan(hex: HexBytes, e: FlatEntry, fallback: Span): Span {
  const first = e.offset;
  if (first === undefined) return fallback;
  const size = e.kind === 'address' ? 4 : Math.max(e.name.length, 1);
  const start = hex.at[first];
  const last = hex.at[first + size - 1];
  return start === undefined || last === undefined ? fallback : { start, end: last + 2 };
}

/** The model text of an entry: `a.b.c.d`, `a.b.c.d/m.m.m.m`, or a domain name. */
export function entryText(e: FlatEntry): string {
  if (e.kind === 'name') return e.noSubdomain ? e.name : `*.${e.name}`;
  return e.mask === SINGLE_HOST_MASK ? dotted(e.value) : `${dotted(e.value)}/${dotted(e.mask)}`;
}

function readBlob(p: Property, problems: Problem[]): IisBlob | undefined {
  try {
    const hex = hexToBytes(p.raw, 0, p.raw.length);
    // Offsets of the bytes are relative to the value: move them into the file.
    const at = hex.at.map((o) => o + p.valueSpan.start);
    const placed = { bytes: hex.bytes, at };
    const list = decodeIpSecList(hex.bytes);
    const meaning = meaningOf(list);
    const shown = list === undefined ? [] : entriesOf(list, meaning.side);
    const entries = meaning.placeholder ? shown.filter((e) => e.kind === 'name') : shown;
    if (entries.length > MAX_BLOB_ENTRIES) {
      problems.push({
        message: `${p.name} holds ${entries.length.toLocaleString('en-US')} entries, more than the ${MAX_BLOB_ENTRIES.toLocaleString('en-US')} Relay Lint analyses in one list (IIS Manager shows a few hundred at most); the file is not analysed.`,
        span: p.span,
      });
      return undefined;
    }
    return {
      property: p,
      hex: placed,
      list,
      meaning,
      entries,
      upper: /[A-F]/.test(p.raw) && !/[a-f]/.test(p.raw),
    };
  } catch (e) {
    if (!(e instanceof BlobError)) throw e;
    const where = p.inherited ? ' (inherited from /LM/SmtpSvc)' : '';
    problems.push({
      message: `${p.name}${where} is not a valid IIS IP security list: ${e.message}. IIS's reading of it is unknown, so the file is not analysed; set the list again in IIS Manager (or remove the attribute) and copy MetaBase.xml again.`,
      span: p.span,
    });
    return undefined;
  }
}

function readFlags(
  p: Property | undefined,
  names: Readonly<Record<string, number>>,
  fallback: number,
  problems: Problem[],
): FlagValue {
  if (p === undefined) return { value: fallback, notation: 'symbolic', unknown: [] };
  const f = parseFlags(p.value, names);
  if (f.unknown.length > 0)
    problems.push({
      message: `${p.name} has ${f.unknown.map((u) => `"${u}"`).join(', ')}, not a flag of ${p.name} (${Object.keys(names).join(', ')}); the setting cannot be read.`,
      span: p.span,
    });
  return f;
}

/** ServerBindings `ip:port:host` lines → model bindings (`:25:` = every address, port 25). */
function bindingsOf(p: Property): { text: string; span: Span }[] {
  const out: { text: string; span: Span }[] = [];
  const re = /[^\r\n]+/g;
  for (let m = re.exec(p.raw); m !== null; m = re.exec(p.raw)) {
    const lead = m[0].length - m[0].trimStart().length;
    const piece = m[0].trim();
    if (piece === '') continue;
    const start = p.valueSpan.start + m.index + lead;
    const parts = piece.split(':');
    const ip = (parts[0] ?? '').trim();
    const port = (parts[1] ?? '').trim();
    out.push({
      text: `${ip === '' ? '0.0.0.0' : ip}:${port === '' ? '25' : port}`,
      span: { start, end: start + piece.length },
    });
  }
  return out;
}

/** Builds the model tree of a parsed metabase. */
export function buildView(text: string, elements: readonly XmlElement[]): IisView {
  const problems: Problem[] = [];
  const service = elements.find(isSmtpService);
  const servers: IisServer[] = [];
  const serverNodes: SyntaxNode[] = [];
  const firstLine = { start: 0, end: Math.max(text.search(/\r|\n|$/), 0) };
  for (const el of elements) {
    const location = isSmtpServer(el);
    if (location === undefined) continue;
    const locAttr = attrOf(el, 'Location');
    const locationSpan = locAttr?.valueSpan ?? { start: el.start, end: el.openEnd };
    const props = new Map<PropertyName, Property>();
    for (const name of PROPS) {
      const p = effectiveProperty(el, service, name);
      if (p !== undefined) props.set(name, p);
    }
    const auth = props.get('AuthFlags');
    const ssl = props.get('AccessSSLFlags');
    const rfa = props.get('RelayForAuth');
    // IIS's default SMTP virtual server has only Anonymous access on (DOMAIN.md §1.1.2).
    const authFlags = readFlags(auth, AUTH_FLAGS, 1, problems);
    const accessSsl = readFlags(ssl, ACCESS_SSL_FLAGS, 0, problems);
    let relayForAuth = true;
    if (rfa !== undefined) {
      const n = numberOf(rfa.value.trim());
      if (n === undefined && !/^(true|false)$/i.test(rfa.value.trim()))
        problems.push({
          message: `RelayForAuth is "${rfa.value}", not a number (0 = off, any other value = on); the setting cannot be read.`,
          span: rfa.span,
        });
      relayForAuth = n !== undefined ? n !== 0 : !/^false$/i.test(rfa.value.trim());
    }
    const relayProp = props.get('RelayIpList');
    const connProp = props.get('IPSecurity');
    const relay = relayProp !== undefined ? readBlob(relayProp, problems) : undefined;
    const connection =
      connProp !== undefined && connProp.raw.trim() !== ''
        ? readBlob(connProp, problems)
        : undefined;
    const comment = props.get('ServerComment');
    const name = comment !== undefined && comment.value.trim() !== '' ? comment.value : location;
    const idx = servers.length;
    const path: JsonPath = ['servers', idx];
    const listenerPath: JsonPath = [...path, 'listeners', 0];
    const bindingsProp = props.get('ServerBindings');
    const bindings = bindingsProp !== undefined ? bindingsOf(bindingsProp) : [];
    const server: IisServer = {
      element: el,
      location,
      locationSpan,
      name,
      path,
      listenerPath,
      properties: props,
      authFlags,
      accessSsl,
      relayForAuth,
      ...(relay !== undefined ? { relay } : {}),
      ...(connection !== undefined ? { connection } : {}),
      bindings: bindings.map((b) => b.text),
    };
    servers.push(server);
    const elSpan = { start: el.start, end: el.openEnd };
    const lp = listenerPath;
    const listenerEntries: Entry[] = [
      entry(
        'name',
        comment?.nameSpan ?? locationSpan,
        scalar([...lp, 'name'], comment?.span ?? locationSpan, name),
      ),
    ];
    if (bindingsProp !== undefined && bindings.length > 0) {
      listenerEntries.push(
        entry(
          'bindings',
          bindingsProp.nameSpan,
          array(
            [...lp, 'bindings'],
            bindingsProp.span,
            bindings.map((b, i) => scalar([...lp, 'bindings', i], b.span, b.text)),
          ),
        ),
      );
    }
    if (connection !== undefined) {
      const cp = [...lp, 'connection'];
      listenerEntries.push(entry('connection', connection.property.span, listNode(cp, connection)));
    }
    const authSpan = auth?.span ?? locationSpan;
    const ap = [...lp, 'authentication'];
    const bit = (b: number): boolean => (authFlags.value & b) !== 0;
    const sslSpan = ssl?.span ?? locationSpan;
    listenerEntries.push(
      entry(
        'authentication',
        auth?.nameSpan ?? locationSpan,
        object(ap, authSpan, [
          entry('anonymous', authSpan, scalar([...ap, 'anonymous'], authSpan, bit(1))),
          entry('basic', authSpan, scalar([...ap, 'basic'], authSpan, bit(2))),
          entry(
            'integratedWindows',
            authSpan,
            scalar([...ap, 'integratedWindows'], authSpan, bit(4)),
          ),
          entry(
            'requireTls',
            ssl?.nameSpan ?? locationSpan,
            scalar([...ap, 'requireTls'], sslSpan, (accessSsl.value & 8) !== 0),
          ),
        ]),
      ),
    );
    const rp = [...lp, 'relay'];
    const relaySpan = relay?.property.span ?? relayProp?.span ?? locationSpan;
    const rfaSpan = rfa?.span ?? locationSpan;
    const relayEntries: Entry[] =
      relay !== undefined
        ? (listNode(rp, relay) as ObjectNode).entries.slice()
        : [
            // Absent RelayIpList: "Only the list below" with nobody listed (SPEC §7.3).
            entry('mode', locationSpan, scalar([...rp, 'mode'], locationSpan, 'onlyList')),
            entry('list', locationSpan, array([...rp, 'list'], locationSpan, [])),
          ];
    relayEntries.push(
      entry(
        'allowAuthenticated',
        rfa?.nameSpan ?? locationSpan,
        scalar([...rp, 'allowAuthenticated'], rfaSpan, relayForAuth),
      ),
    );
    listenerEntries.push(entry('relay', relaySpan, object(rp, relaySpan, relayEntries)));
    const serverEntries: Entry[] = [
      entry('name', locationSpan, scalar([...path, 'name'], locationSpan, location)),
      entry('product', locationSpan, scalar([...path, 'product'], locationSpan, 'iis-smtp')),
    ];
    const dd = props.get('DefaultDomain');
    if (dd !== undefined && dd.value.trim() !== '')
      serverEntries.push(
        entry(
          'defaultDomain',
          dd.nameSpan,
          scalar([...path, 'defaultDomain'], dd.span, dd.value.trim()),
        ),
      );
    serverEntries.push(
      entry(
        'listeners',
        elSpan,
        array([...path, 'listeners'], elSpan, [object(lp, elSpan, listenerEntries)]),
      ),
    );
    serverNodes.push(object(path, elSpan, serverEntries));
  }
  const whole = { start: 0, end: text.length };
  const root = object([], whole, [
    entry('version', firstLine, scalar(['version'], firstLine, 1)),
    entry('servers', firstLine, array(['servers'], whole, serverNodes)),
  ]);
  return {
    data: { servers, ...(service !== undefined ? { service } : {}) },
    root,
    // A value inherited by several servers is one problem where it is written, not one each.
    problems: problems.filter(
      (p, i) =>
        problems.findIndex(
          (q) =>
            q.span.start === p.span.start && q.span.end === p.span.end && q.message === p.message,
        ) === i,
    ),
  };
}

/** `{mode, list}` of a blob. */
function listNode(path: JsonPath, blob: IisBlob): SyntaxNode {
  const span = blob.property.span;
  const lp = [...path, 'list'];
  const items = blob.entries.map((e, i) => {
    const ip = [...lp, i];
    const s = entrySpan(blob.hex, e, span);
    if (e.kind === 'name')
      return object(ip, s, [entry('domain', s, scalar([...ip, 'domain'], s, entryText(e)))]);
    return scalar(ip, s, entryText(e));
  });
  return object(path, span, [
    entry('mode', span, scalar([...path, 'mode'], span, blob.meaning.mode)),
    entry('list', span, array(lp, span, items)),
  ]);
}
