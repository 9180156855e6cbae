import type { Span } from '../../model.js';
import type { XmlAttr, XmlElement } from './metabase.js';

/**
 * Metabase properties the reader uses, by name and by ID (a `<Custom>` child may name either).
 * IDs: IIS 6 SDK / IIScnfg.h (shared/EXCHANGE-IIS.md §B.1, shared/DOMAIN.md §1.1.2).
 */
export const PROPERTY_IDS = {
  AuthFlags: 6000,
  AccessSSLFlags: 6030,
  IPSecurity: 6019,
  ServerBindings: 1023,
  ServerComment: 1015,
  RelayIpList: 36970,
  RelayForAuth: 36973,
  DefaultDomain: 36908,
} as const;

export type PropertyName = keyof typeof PROPERTY_IDS;

/** Properties a virtual server inherits from `IIsSmtpService` when it does not set them. */
export const INHERITED: ReadonlySet<PropertyName> = new Set<PropertyName>([
  'AuthFlags',
  'AccessSSLFlags',
  'IPSecurity',
  'RelayIpList',
  'RelayForAuth',
  'DefaultDomain',
]);

export const AUTH_FLAGS: Readonly<Record<string, number>> = {
  AuthAnonymous: 1,
  AuthBasic: 2,
  AuthNTLM: 4,
  AuthMD5: 16,
  AuthPassport: 64,
};

export const ACCESS_SSL_FLAGS: Readonly<Record<string, number>> = {
  AccessSSL: 8,
  AccessSSLNegotiateCert: 32,
  AccessSSLRequireCert: 64,
  AccessSSLMapCert: 128,
  AccessSSL128: 256,
};

/** A property value as written: on the element itself or in a `<Custom>` child. */
export interface Property {
  readonly name: PropertyName;
  /** The value with references decoded. */
  readonly value: string;
  readonly raw: string;
  /** The raw text between the quotes. */
  readonly valueSpan: Span;
  /** Where findings about it go: the value, or the whole attribute when the value is empty. */
  readonly span: Span;
  /** The attribute name (`AuthFlags=`, or the `Custom` element's `Value=`). */
  readonly nameSpan: Span;
  /** The element that holds the attribute (the SMTP element or its `Custom` child). */
  readonly holder: XmlElement;
  /** The SMTP element the property belongs to (the server, or the service it inherits from). */
  readonly owner: XmlElement;
  readonly inherited: boolean;
  readonly custom: boolean;
}

function attr(el: XmlElement, name: string): XmlAttr | undefined {
  const lower = name.toLowerCase();
  return el.attrs.find((a) => a.name.toLowerCase() === lower);
}

export function attrOf(el: XmlElement, name: string): XmlAttr | undefined {
  return attr(el, name);
}

function toProperty(
  name: PropertyName,
  a: XmlAttr,
  holder: XmlElement,
  owner: XmlElement,
  inherited: boolean,
  custom: boolean,
): Property {
  const span =
    a.valueSpan.start === a.valueSpan.end
      ? { start: a.nameSpan.start, end: a.valueSpan.end + 1 }
      : a.valueSpan;
  return {
    name,
    value: a.value,
    raw: a.raw,
    valueSpan: a.valueSpan,
    span,
    nameSpan: a.nameSpan,
    holder,
    owner,
    inherited,
    custom,
  };
}

/** The property on one element: its attribute, else a `<Custom>` child by Name or ID. */
export function ownProperty(
  el: XmlElement,
  name: PropertyName,
  inherited = false,
): Property | undefined {
  const a = attr(el, name);
  if (a !== undefined) return toProperty(name, a, el, el, inherited, false);
  const id = String(PROPERTY_IDS[name]);
  for (const c of el.customs) {
    const n = attr(c, 'Name')?.value.trim().toLowerCase();
    const i = attr(c, 'ID')?.value.trim();
    if (n !== name.toLowerCase() && i !== id) continue;
    const v = attr(c, 'Value');
    if (v !== undefined) return toProperty(name, v, c, el, inherited, true);
  }
  return undefined;
}

/** The effective property of a server: its own, else the service's when it is inheritable. */
export function effectiveProperty(
  server: XmlElement,
  service: XmlElement | undefined,
  name: PropertyName,
): Property | undefined {
  const own = ownProperty(server, name);
  if (own !== undefined || service === undefined || !INHERITED.has(name)) return own;
  return ownProperty(service, name, true);
}

export interface FlagValue {
  readonly value: number;
  /** How it is written: numbers (decimal or 0x hex) or names joined by ` | `. */
  readonly notation: 'decimal' | 'hex' | 'symbolic';
  /** Names the product does not know (the value cannot be read). */
  readonly unknown: readonly string[];
}

/**
 * A flags value: `5`, `0x5`, `-1` (a DWORD written signed), or `AuthBasic | AuthAnonymous`
 * (case-insensitive names; numbers may be mixed in).
 */
export function parseFlags(text: string, names: Readonly<Record<string, number>>): FlagValue {
  const t = text.trim();
  if (t === '') return { value: 0, notation: 'decimal', unknown: [] };
  const single = numberOf(t);
  if (single !== undefined)
    return { value: single, notation: /^0x/i.test(t) ? 'hex' : 'decimal', unknown: [] };
  let value = 0;
  const unknown: string[] = [];
  for (const part of t.split('|')) {
    const p = part.trim();
    const n = numberOf(p);
    const known = Object.entries(names).find(([k]) => k.toLowerCase() === p.toLowerCase());
    if (n !== undefined) value = (value | n) >>> 0;
    else if (known !== undefined) value = (value | known[1]) >>> 0;
    else unknown.push(p);
  }
  return { value, notation: 'symbolic', unknown };
}

export function numberOf(t: string): number | undefined {
  if (/^-?\d+$/.test(t)) {
    const n = Number(t);
    return Number.isSafeInteger(n) && n >= -0x80000000 && n <= 0xffffffff ? n >>> 0 : undefined;
  }
  if (/^0x[0-9a-f]{1,8}$/i.test(t)) return parseInt(t.slice(2), 16) >>> 0;
  return undefined;
}
