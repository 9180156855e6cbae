import type { Fix, TextEdit } from '../../model.js';
import {
  buildList,
  bytesToHex,
  encodeIpSecList,
  type FlatEntry,
  type IpSecList,
} from './ipsec-blob.js';
import { escapeAttribute, type XmlElement } from './metabase.js';
import { ACCESS_SSL_FLAGS, attrOf, AUTH_FLAGS, parseFlags, type Property } from './properties.js';
import type { IisBlob, IisServer } from './view.js';

/**
 * Native edits to MetaBase.xml: attribute values rewritten in the notation they were written in,
 * attributes added beside `Location`, and blobs re-encoded (ipsec-blob.ts) — never YAML.
 */

/** Replaces a property's value (the text between the quotes). */
export function setValue(p: Property, value: string): TextEdit {
  return { span: p.valueSpan, text: escapeAttribute(value) };
}

/**
 * Adds `name="value"` to an element, right after its `Location` attribute, on a line of its own
 * indented like the element's next attribute (MetaBase.xml puts one attribute per line).
 */
export function addAttribute(el: XmlElement, text: string, name: string, value: string): TextEdit {
  const loc = attrOf(el, 'Location');
  const after = loc !== undefined ? loc.valueSpan.end + 1 : el.start + 1 + el.name.length;
  const next = el.attrs.find((a) => a.nameSpan.start >= after);
  const gap = next !== undefined ? text.slice(after, next.nameSpan.start) : '';
  const sep = /\n/.test(gap) ? gap : ' ';
  return { span: { start: after, end: after }, text: `${sep}${name}="${escapeAttribute(value)}"` };
}

export function blobText(list: IpSecList, upper: boolean): string {
  return bytesToHex(encodeIpSecList(list), upper);
}

function flagsOf(blob: IisBlob): number {
  return blob.list?.flags ?? 1;
}

/** The blob IIS writes for "Only the list below" with nobody listed (the placeholder grant). */
export function closedBlobText(blob: IisBlob): string {
  return blobText(buildList('onlyList', [], flagsOf(blob)), blob.upper);
}

/** "Only the list below" with the same entries (the deny entries become grants). */
export function onlyListBlobText(blob: IisBlob): string {
  return blobText(buildList('onlyList', blob.entries, flagsOf(blob)), blob.upper);
}

/** The same mode without one entry. */
export function withoutEntryBlobText(blob: IisBlob, index: number): string {
  const rest = blob.entries.filter((_, i) => i !== index);
  return blobText(buildList(blob.meaning.mode, rest, flagsOf(blob)), blob.upper);
}

/** The same mode with one entry replaced. */
export function replaceEntryBlobText(blob: IisBlob, index: number, entry: FlatEntry): string {
  const next = blob.entries.map((e, i) => (i === index ? entry : e));
  return blobText(buildList(blob.meaning.mode, next, flagsOf(blob)), blob.upper);
}

function where(p: Property): string {
  return p.inherited
    ? ' on /LM/SmtpSvc (inherited by every virtual server that does not set it)'
    : '';
}

/** A flags value rewritten in its own notation: numbers stay numbers, names stay names. */
function rewriteFlags(
  p: Property,
  names: Readonly<Record<string, number>>,
  clear: number,
  set: number,
  setName: string,
): string {
  const f = parseFlags(p.value, names);
  const value = ((f.value & ~clear) | set) >>> 0;
  if (f.notation === 'decimal') return String(value);
  if (f.notation === 'hex') return `0x${value.toString(16)}`;
  const kept = p.value
    .split('|')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .filter((t) => {
      const known = Object.entries(names).find(([k]) => k.toLowerCase() === t.toLowerCase());
      const bits = known?.[1] ?? (/^\d+$/.test(t) ? Number(t) : 0);
      return (bits & clear) === 0;
    });
  if (set !== 0 && (f.value & set) !== set) kept.push(setName);
  return kept.length === 0 ? '0' : kept.join(' | ');
}

/**
 * Anonymous access off. With no other method left the server would accept no mail (RLY034), so,
 * as the model rule does, Integrated Windows authentication (AuthNTLM) is turned on instead.
 */
export function disableAnonymousFix(server: IisServer, text: string, preferred: boolean): Fix {
  const p = server.properties.get('AuthFlags');
  const others = (server.authFlags.value & 6) !== 0;
  const title = others
    ? 'Turn Anonymous access off (remove AuthAnonymous from AuthFlags)'
    : 'Require Integrated Windows authentication instead of Anonymous access (AuthFlags)';
  if (p === undefined)
    return {
      title,
      safe: false,
      preferred,
      edits: [addAttribute(server.element, text, 'AuthFlags', 'AuthNTLM')],
    };
  return {
    title: title + where(p),
    safe: false,
    preferred,
    edits: [setValue(p, rewriteFlags(p, AUTH_FLAGS, 1, others ? 0 : 4, 'AuthNTLM'))],
  };
}

/** Require TLS: `AccessSSLFlags` bit 8 (AccessSSL). */
export function requireTlsFix(server: IisServer, text: string, preferred: boolean): Fix {
  const p = server.properties.get('AccessSSLFlags');
  const title = 'Require TLS encryption (AccessSSLFlags: AccessSSL)';
  if (p === undefined)
    return {
      title,
      safe: false,
      preferred,
      edits: [addAttribute(server.element, text, 'AccessSSLFlags', 'AccessSSL')],
    };
  return {
    title: title + where(p),
    safe: false,
    preferred,
    edits: [setValue(p, rewriteFlags(p, ACCESS_SSL_FLAGS, 0, 8, 'AccessSSL'))],
  };
}

/** "Allow all computers which successfully authenticate to relay" off: `RelayForAuth="0"`. */
export function relayForAuthOffFix(server: IisServer, text: string): Fix {
  const p = server.properties.get('RelayForAuth');
  const title =
    'Clear "Allow all computers which successfully authenticate to relay" (RelayForAuth="0")';
  return {
    title: p !== undefined ? title + where(p) : title,
    safe: false,
    preferred: false,
    edits: [
      p !== undefined ? setValue(p, '0') : addAttribute(server.element, text, 'RelayForAuth', '0'),
    ],
  };
}
