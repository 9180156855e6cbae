import ipaddr from 'ipaddr.js';
import { V4_BASE } from './interval-set.js';

/** A single address in the unified 128-bit space (IPv4 stored as ::ffff:a.b.c.d). */
export interface Address {
  readonly family: 4 | 6;
  /** Position in the unified space. */
  readonly value: bigint;
  /** Written as IPv6 but inside ::ffff:0:0/96, so it denotes an IPv4 address. */
  readonly mapped: boolean;
  readonly zoneId?: string;
}

export type AddressParse =
  | { readonly kind: 'ok'; readonly address: Address }
  | { readonly kind: 'ambiguous'; readonly readings: readonly Address[]; readonly why: string }
  | { readonly kind: 'invalid'; readonly why: string };

const DOTTED_DECIMAL = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const LOOSE_V4 = /^[0-9a-fA-FxX.]+$/;

function v4(n: number): Address {
  return { family: 4, value: V4_BASE + BigInt(n), mapped: false };
}

/** Strict dotted-decimal IPv4 (no leading zeros), as glibc inet_pton reads it. */
export function parseStrictV4(text: string): number | undefined {
  const m = DOTTED_DECIMAL.exec(text);
  if (m === null) return undefined;
  let n = 0;
  for (const part of m.slice(1)) {
    const octet = Number(part);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

/**
 * Reads an IPv4 text that is not strict dotted decimal and explains why: a bad octet is
 * invalid; leading zeros, short, hex and integer forms are ambiguous (inet_aton and .NET read
 * `010` as octal and expand `10.1` to 10.0.0.1; glibc inet_pton rejects them).
 */
function looseV4(text: string): AddressParse {
  const parts = text.split('.');
  if (parts.length === 4 && parts.every((p) => /^\d+$/.test(p))) {
    const big = parts.find((p) => Number(p) > 255);
    if (big !== undefined && !/^0\d/.test(big)) {
      return { kind: 'invalid', why: `octet ${big} is greater than 255` };
    }
  }
  if (parts.length > 4 || parts.some((p) => p === '')) {
    return { kind: 'invalid', why: `"${text}" is not an IPv4 address` };
  }
  const readings: Address[] = [];
  const decimal = parts.every((p) => /^\d+$/.test(p)) ? decimalReading(parts) : undefined;
  if (decimal !== undefined) readings.push(v4(decimal));
  try {
    // ipaddr.js reads the classic inet_aton forms: octal, hex, short and integer.
    const aton = ipaddr.IPv4.parse(text).toByteArray();
    const n =
      ((aton[0] ?? 0) * 256 + (aton[1] ?? 0)) * 65536 + (aton[2] ?? 0) * 256 + (aton[3] ?? 0);
    if (!readings.some((r) => r.value === v4(n).value)) readings.push(v4(n));
  } catch {
    // No inet_aton reading: keep the decimal one if there is one.
  }
  if (parts.length < 4 && parts.length > 1 && parts.every((p) => /^\d+$/.test(p))) {
    // Some products pad a short form on the right, as a network prefix (Sendmail's `Connect:10.1`).
    const padded = decimalReading([...parts, ...Array<string>(4 - parts.length).fill('0')]);
    if (padded !== undefined && !readings.some((r) => r.value === v4(padded).value)) {
      readings.push(v4(padded));
    }
  }
  if (readings.length === 0) return { kind: 'invalid', why: `"${text}" is not an IPv4 address` };
  return { kind: 'ambiguous', readings, why: ambiguityReason(text, parts) };
}

function decimalReading(parts: readonly string[]): number | undefined {
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const o = Number(p);
    if (!Number.isInteger(o) || o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

function ambiguityReason(text: string, parts: readonly string[]): string {
  if (/0x/i.test(text)) return 'it is written in hexadecimal';
  if (parts.length === 1) return 'it is written as a single integer';
  if (parts.length < 4) return 'it is a short form with fewer than four parts';
  return 'an octet has a leading zero, which some products read as octal';
}

/** Parses one address: strict IPv4, or IPv6 (RFC 4291) with an optional zone id. */
export function parseAddress(raw: string): AddressParse {
  const text = raw.trim();
  if (text === '') return { kind: 'invalid', why: 'the entry is empty' };
  if (text.includes(':')) return parseV6(text);
  if (text.includes('%')) return { kind: 'invalid', why: 'a zone id is only valid on IPv6' };
  const n = parseStrictV4(text);
  if (n !== undefined) return { kind: 'ok', address: v4(n) };
  if (!LOOSE_V4.test(text)) return { kind: 'invalid', why: `"${text}" is not an IP address` };
  return looseV4(text);
}

function parseV6(text: string): AddressParse {
  const pct = text.indexOf('%');
  const zoneId = pct >= 0 ? text.slice(pct + 1) : undefined;
  let body = pct >= 0 ? text.slice(0, pct) : text;
  if (zoneId !== undefined && !/^[0-9A-Za-z._~-]+$/.test(zoneId)) {
    return { kind: 'invalid', why: `"${zoneId}" is not a valid zone id` };
  }
  // ipaddr.js turns an embedded dotted quad into ::ffff:… even for ::1.2.3.4 (IPv4-compatible),
  // and reads it leniently, so the dotted tail is converted here, strictly.
  const dotted = /^(.*:)([^:]*\.[^:]*)$/.exec(body);
  if (dotted !== null) {
    const tail = dotted[2] ?? '';
    const n = parseStrictV4(tail);
    if (n === undefined) {
      const loose = looseV4(tail);
      return {
        kind: 'invalid',
        why:
          loose.kind === 'invalid'
            ? `the embedded IPv4 part ${loose.why}`
            : `the embedded IPv4 part "${tail}" is not dotted decimal (${loose.kind === 'ambiguous' ? loose.why : 'not strict'})`,
      };
    }
    body = `${dotted[1] ?? ''}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  if (!ipaddr.IPv6.isValid(body))
    return { kind: 'invalid', why: `"${text}" is not a valid IPv6 address` };
  const parts = ipaddr.IPv6.parse(body).parts;
  let value = 0n;
  for (const p of parts) value = (value << 16n) + BigInt(p);
  const mapped = value >> 32n === 0xffffn;
  const address: Address = {
    family: mapped ? 4 : 6,
    value,
    mapped,
    ...(zoneId !== undefined ? { zoneId } : {}),
  };
  return { kind: 'ok', address };
}

/** Canonical text: dotted decimal for IPv4, RFC 5952 for IPv6, ::ffff:a.b.c.d when mapped. */
export function formatAddress(value: bigint, family: 4 | 6, mapped = false): string {
  if (family === 4) {
    const n = Number(value - V4_BASE);
    const v4text = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    return mapped ? `::ffff:${v4text}` : v4text;
  }
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

export function isV4Value(value: bigint): boolean {
  return value >= V4_BASE && value <= V4_BASE + 0xffffffffn;
}
