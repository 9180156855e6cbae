/**
 * The IIS `IPSECLIST` blob (`RelayIpList`, `IPSecurity`): decoder and encoder.
 *
 * Layout (shared/EXCHANGE-IIS.md §B.2, IIScnfg.h "MD_IP_SEC binary format description"); every
 * header DWORD is little-endian, every offset a SELFREFINDEX (bit 31 set, the rest an offset from
 * the start of the blob):
 *
 *   ADDRESS_CHECK_LIST (24 bytes): iDenyAddr, iGrantAddr, iDenyName, iGrantName, dwFlags, cRefSize
 *   ADDRESS_HEADER:     cEntries, cAddresses (real addresses, masks not counted), entries[]
 *   ADDRESS_LIST_ENTRY: iFamily (2 = AF_INET), cAddresses (the mask counts: n + 1), cFullBytes,
 *                       LastByte, iFirstAddress → mask[4] then n × address[4], network byte order
 *   NAME_HEADER:        cEntries, cNames, entries[]
 *   NAME_LIST_ENTRY:    cComponents (bit 31 = no subdomains), cNames, iName[cNames] → NUL-ended
 *
 * The decoder never trusts a count or an offset: every region it reads must lie inside the blob
 * and no two regions may share a byte, so a hostile blob (counts that overrun, offsets that loop
 * back, a megabyte of entries) costs at most one pass over its bytes and ends in one clear
 * `BlobError`. The encoder writes the canonical layout (the four headers in the order above, then
 * the data in the same order), which is the layout of the one real sample whose bytes are known.
 */

/** One address of a group, as read (offsets are byte offsets into the blob). */
export interface BlobAddress {
  /** The address as an unsigned 32-bit number, first octet most significant. */
  readonly value: number;
  /** Byte offset of its 4 bytes in the blob (decoded lists only). */
  readonly offset?: number;
}

/** One ADDRESS_LIST_ENTRY: the addresses that share a mask. */
export interface AddressGroup {
  /** 2 (AF_INET); the only family the format knows. */
  readonly family: number;
  /** The mask as an unsigned 32-bit number, first octet most significant. */
  readonly mask: number;
  /** The entry's cFullBytes and LastByte as stored; computed from `mask` when absent. */
  readonly fullBytes?: number;
  readonly lastByte?: number;
  readonly addresses: readonly BlobAddress[];
  /** Byte offset of the mask in the blob (decoded lists only). */
  readonly maskOffset?: number;
}

export interface BlobName {
  /** The name as stored (ANSI, read as Latin-1). */
  readonly name: string;
  /** Byte offset of its first character, and its length without the NUL (decoded lists only). */
  readonly offset?: number;
}

/** One NAME_LIST_ENTRY: names with the same number of DNS components. */
export interface NameGroup {
  readonly components: number;
  /** DNSLIST_FLAG_NOSUBDOMAIN: the name matches that host only, not its subdomains. */
  readonly noSubdomain: boolean;
  readonly names: readonly BlobName[];
}

export interface IpSecList {
  /** dwFlags (1 = RDNS_FLAG_DODNS2IPCHECK, what IIS writes). */
  readonly flags: number;
  readonly denyAddresses: readonly AddressGroup[];
  readonly grantAddresses: readonly AddressGroup[];
  readonly denyNames: readonly NameGroup[];
  readonly grantNames: readonly NameGroup[];
}

export class BlobError extends Error {
  constructor(
    message: string,
    /** Byte offset the problem was found at (−1: the text, not the bytes). */
    readonly byteOffset: number,
  ) {
    super(message);
    this.name = 'BlobError';
  }
}

export const AF_INET = 2;
const SELF_REF = 0x80000000;
const HEADER_SIZE = 24;
const ADDRESS_ENTRY_SIZE = 20;
export const SINGLE_HOST_MASK = 0xffffffff;

/** Hex digits → bytes, with the text offset of each byte's first digit. */
export interface HexBytes {
  readonly bytes: Uint8Array;
  /** `at[i]` = offset in the text of byte i's first hex digit. */
  readonly at: Int32Array;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Reads `text[start, end)` as hex bytes. Whitespace between bytes is tolerated (no sample shows
 * any, but a hand-wrapped value should not be misread); anything else is a `BlobError`.
 */
export function hexToBytes(text: string, start: number, end: number): HexBytes {
  const bytes = new Uint8Array((end - start) >> 1);
  const at = new Int32Array(bytes.length);
  let n = 0;
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const hi = hexValue(c);
    if (hi < 0 && c === 38 /* & */)
      // A character reference (&#x31;) would be decoded by IIS's XML parser; IIS never writes
      // one in a blob, and offsets into the blob are kept only for text written as hex digits.
      throw new BlobError(
        `"&" at character ${String(i - start + 1)} starts an XML character reference, which IIS never writes in a blob and Relay Lint does not decode here: write the hex digits themselves`,
        -1,
      );
    if (hi < 0)
      throw new BlobError(
        `"${text[i] ?? ''}" at character ${String(i - start + 1)} is not a hex digit`,
        -1,
      );
    if (i + 1 >= end || hexValue(text.charCodeAt(i + 1)) < 0)
      throw new BlobError(
        i + 1 >= end
          ? 'the value has an odd number of hex digits'
          : `"${text[i + 1] ?? ''}" at character ${String(i - start + 2)} is not a hex digit (hex digits come in pairs)`,
        -1,
      );
    bytes[n] = hi * 16 + hexValue(text.charCodeAt(i + 1));
    at[n] = i;
    n++;
    i += 2;
  }
  return { bytes: bytes.subarray(0, n), at: at.subarray(0, n) };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array, upper = false): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX[bytes[i] ?? 0] ?? '00';
  const out = parts.join('');
  return upper ? out.toUpperCase() : out;
}

class Reader {
  private readonly claimed: Uint8Array;

  constructor(readonly bytes: Uint8Array) {
    this.claimed = new Uint8Array(bytes.length);
  }

  dword(offset: number, what: string): number {
    this.within(offset, 4, what);
    const b = this.bytes;
    return (
      ((b[offset] ?? 0) |
        ((b[offset + 1] ?? 0) << 8) |
        ((b[offset + 2] ?? 0) << 16) |
        ((b[offset + 3] ?? 0) << 24)) >>>
      0
    );
  }

  /** A big-endian (network order) DWORD: addresses and masks. */
  network(offset: number, what: string): number {
    this.within(offset, 4, what);
    const b = this.bytes;
    return (
      (((b[offset] ?? 0) << 24) |
        ((b[offset + 1] ?? 0) << 16) |
        ((b[offset + 2] ?? 0) << 8) |
        (b[offset + 3] ?? 0)) >>>
      0
    );
  }

  within(offset: number, size: number, what: string): void {
    if (offset < 0 || size < 0 || offset + size > this.bytes.length)
      throw new BlobError(
        `${what} at byte ${String(offset)} (${String(size)} bytes) runs past the end of the ${String(this.bytes.length)}-byte list`,
        Math.max(0, Math.min(offset, this.bytes.length)),
      );
  }

  /** Marks a region as read; a region read twice means offsets that overlap or loop. */
  claim(offset: number, size: number, what: string): void {
    this.within(offset, size, what);
    for (let i = offset; i < offset + size; i++) {
      if (this.claimed[i] === 1)
        throw new BlobError(
          `${what} at byte ${String(offset)} overlaps another part of the list (byte ${String(i)} is used twice)`,
          i,
        );
      this.claimed[i] = 1;
    }
  }

  selfRef(offset: number, what: string): number {
    const v = this.dword(offset, what);
    if ((v & SELF_REF) === 0)
      throw new BlobError(
        `${what} at byte ${String(offset)} is 0x${v.toString(16).padStart(8, '0')}, not a self-relative offset (bit 31 must be set)`,
        offset,
      );
    return v & 0x7fffffff;
  }
}

/**
 * Decodes a blob. An empty byte string is the empty list (`RelayIpList=""`): the caller decides
 * what absence and emptiness mean; this returns undefined for it.
 */
export function decodeIpSecList(bytes: Uint8Array): IpSecList | undefined {
  if (bytes.length === 0) return undefined;
  if (bytes.length < HEADER_SIZE)
    throw new BlobError(
      `the list has ${String(bytes.length)} bytes, fewer than its 24-byte header`,
      0,
    );
  const r = new Reader(bytes);
  r.claim(0, HEADER_SIZE, 'the header');
  const denyAddr = r.selfRef(0, 'the deny-address offset');
  const grantAddr = r.selfRef(4, 'the grant-address offset');
  const denyName = r.selfRef(8, 'the deny-name offset');
  const grantName = r.selfRef(12, 'the grant-name offset');
  const flags = r.dword(16, 'dwFlags');
  const refSize = r.dword(20, 'cRefSize');
  if (refSize < HEADER_SIZE || refSize > bytes.length)
    throw new BlobError(
      `cRefSize is ${String(refSize)}, outside the list's ${String(bytes.length)} bytes`,
      20,
    );
  return {
    flags,
    denyAddresses: readAddressHeader(r, denyAddr, refSize, 'deny'),
    grantAddresses: readAddressHeader(r, grantAddr, refSize, 'grant'),
    denyNames: readNameHeader(r, denyName, refSize, 'deny'),
    grantNames: readNameHeader(r, grantName, refSize, 'grant'),
  };
}

function inReferenceArea(offset: number, size: number, refSize: number, what: string): void {
  if (offset + size > refSize)
    throw new BlobError(
      `${what} at byte ${String(offset)} (${String(size)} bytes) runs past the reference area (cRefSize ${String(refSize)})`,
      offset,
    );
}

function readAddressHeader(
  r: Reader,
  at: number,
  refSize: number,
  side: 'deny' | 'grant',
): AddressGroup[] {
  const what = `the ${side}-address header`;
  r.claim(at, 8, what);
  inReferenceArea(at, 8, refSize, what);
  const entries = r.dword(at, what);
  const total = r.dword(at + 4, what);
  // Bound the count by the bytes before looking at any entry: a count of 2^31 must not loop.
  if (entries > (refSize - at - 8) / ADDRESS_ENTRY_SIZE)
    throw new BlobError(
      `${what} at byte ${String(at)} counts ${String(entries)} entries, more than fit in the list`,
      at,
    );
  const groups: AddressGroup[] = [];
  let seen = 0;
  for (let k = 0; k < entries; k++) {
    const e = at + 8 + k * ADDRESS_ENTRY_SIZE;
    const ew = `${side}-address entry ${String(k + 1)}`;
    r.claim(e, ADDRESS_ENTRY_SIZE, ew);
    const family = r.dword(e, ew);
    const count = r.dword(e + 4, ew);
    const fullBytes = r.dword(e + 8, ew);
    const lastByte = r.dword(e + 12, ew);
    const first = r.selfRef(e + 16, `the address offset of ${ew}`);
    if (family !== AF_INET)
      throw new BlobError(
        `${ew} has address family ${String(family)}; the format only knows AF_INET (2)`,
        e,
      );
    if (count < 1)
      throw new BlobError(`${ew} holds no mask (its count is 0; the mask counts as one)`, e + 4);
    if (count > (r.bytes.length - first) / 4)
      throw new BlobError(
        `${ew} counts ${String(count - 1)} addresses, more than fit in the list`,
        e + 4,
      );
    r.claim(first, count * 4, `the addresses of ${ew}`);
    const mask = r.network(first, ew);
    const addresses: BlobAddress[] = [];
    for (let j = 1; j < count; j++) {
      const o = first + j * 4;
      addresses.push({ value: r.network(o, ew), offset: o });
    }
    seen += count - 1;
    groups.push({ family, mask, fullBytes, lastByte, addresses, maskOffset: first });
  }
  if (seen !== total)
    throw new BlobError(
      `${what} at byte ${String(at)} counts ${String(total)} addresses but its entries hold ${String(seen)}`,
      at + 4,
    );
  return groups;
}

function readNameHeader(
  r: Reader,
  at: number,
  refSize: number,
  side: 'deny' | 'grant',
): NameGroup[] {
  const what = `the ${side}-name header`;
  r.claim(at, 8, what);
  inReferenceArea(at, 8, refSize, what);
  const entries = r.dword(at, what);
  const total = r.dword(at + 4, what);
  if (entries > (refSize - at - 8) / 8)
    throw new BlobError(
      `${what} at byte ${String(at)} counts ${String(entries)} entries, more than fit in the list`,
      at,
    );
  const groups: NameGroup[] = [];
  let e = at + 8;
  let seen = 0;
  for (let k = 0; k < entries; k++) {
    const ew = `${side}-name entry ${String(k + 1)}`;
    r.claim(e, 8, ew);
    inReferenceArea(e, 8, refSize, ew);
    const comp = r.dword(e, ew);
    const count = r.dword(e + 4, ew);
    if (count > (refSize - e - 8) / 4)
      throw new BlobError(`${ew} counts ${String(count)} names, more than fit in the list`, e + 4);
    r.claim(e + 8, count * 4, `the name offsets of ${ew}`);
    const names: BlobName[] = [];
    for (let j = 0; j < count; j++) {
      const o = r.selfRef(e + 8 + j * 4, `name offset ${String(j + 1)} of ${ew}`);
      names.push({ name: readName(r, o, ew), offset: o });
    }
    seen += count;
    groups.push({ components: comp & 0x7fffffff, noSubdomain: (comp & SELF_REF) !== 0, names });
    e += 8 + count * 4;
  }
  if (seen !== total)
    throw new BlobError(
      `${what} at byte ${String(at)} counts ${String(total)} names but its entries hold ${String(seen)}`,
      at + 4,
    );
  return groups;
}

function readName(r: Reader, offset: number, what: string): string {
  r.within(offset, 1, `a name of ${what}`);
  const b = r.bytes;
  let end = offset;
  while (end < b.length && b[end] !== 0) end++;
  if (end >= b.length)
    throw new BlobError(
      `a name of ${what} at byte ${String(offset)} has no terminating NUL`,
      offset,
    );
  r.claim(offset, end - offset + 1, `a name of ${what}`);
  let s = '';
  for (let i = offset; i < end; i++) s += String.fromCharCode(b[i] ?? 0);
  return s;
}

/** IIS's mask encoding: the number of leading 0xFF bytes and the byte after them. */
export function maskBytes(mask: number): { fullBytes: number; lastByte: number } {
  let fullBytes = 0;
  while (fullBytes < 4 && ((mask >>> (24 - fullBytes * 8)) & 0xff) === 0xff) fullBytes++;
  const lastByte = fullBytes < 4 ? (mask >>> (24 - fullBytes * 8)) & 0xff : 0;
  return { fullBytes, lastByte };
}

class Writer {
  readonly bytes: Uint8Array;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }
  dword(offset: number, v: number): void {
    this.bytes[offset] = v & 0xff;
    this.bytes[offset + 1] = (v >>> 8) & 0xff;
    this.bytes[offset + 2] = (v >>> 16) & 0xff;
    this.bytes[offset + 3] = (v >>> 24) & 0xff;
  }
  network(offset: number, v: number): void {
    this.bytes[offset] = (v >>> 24) & 0xff;
    this.bytes[offset + 1] = (v >>> 16) & 0xff;
    this.bytes[offset + 2] = (v >>> 8) & 0xff;
    this.bytes[offset + 3] = v & 0xff;
  }
  ref(offset: number, target: number): void {
    this.dword(offset, (target | SELF_REF) >>> 0);
  }
}

function nameHeaderSize(groups: readonly NameGroup[]): number {
  return 8 + groups.reduce((n, g) => n + 8 + 4 * g.names.length, 0);
}

/** Encodes a list in the canonical layout (see the file comment). */
export function encodeIpSecList(list: IpSecList): Uint8Array {
  const denyAddrAt = HEADER_SIZE;
  const grantAddrAt = denyAddrAt + 8 + ADDRESS_ENTRY_SIZE * list.denyAddresses.length;
  const denyNameAt = grantAddrAt + 8 + ADDRESS_ENTRY_SIZE * list.grantAddresses.length;
  const grantNameAt = denyNameAt + nameHeaderSize(list.denyNames);
  const refSize = grantNameAt + nameHeaderSize(list.grantNames);
  const addrData = (gs: readonly AddressGroup[]): number =>
    gs.reduce((n, g) => n + 4 * (1 + g.addresses.length), 0);
  const nameData = (gs: readonly NameGroup[]): number =>
    gs.reduce((n, g) => n + g.names.reduce((m, x) => m + x.name.length + 1, 0), 0);
  const size =
    refSize +
    addrData(list.denyAddresses) +
    addrData(list.grantAddresses) +
    nameData(list.denyNames) +
    nameData(list.grantNames);
  const w = new Writer(size);
  w.ref(0, denyAddrAt);
  w.ref(4, grantAddrAt);
  w.ref(8, denyNameAt);
  w.ref(12, grantNameAt);
  w.dword(16, list.flags);
  w.dword(20, refSize);
  let data = refSize;
  const writeAddresses = (at: number, groups: readonly AddressGroup[]): void => {
    w.dword(at, groups.length);
    w.dword(
      at + 4,
      groups.reduce((n, g) => n + g.addresses.length, 0),
    );
    groups.forEach((g, k) => {
      const e = at + 8 + k * ADDRESS_ENTRY_SIZE;
      const computed = maskBytes(g.mask);
      w.dword(e, g.family);
      w.dword(e + 4, g.addresses.length + 1);
      w.dword(e + 8, g.fullBytes ?? computed.fullBytes);
      w.dword(e + 12, g.lastByte ?? computed.lastByte);
      w.ref(e + 16, data);
      w.network(data, g.mask);
      data += 4;
      for (const a of g.addresses) {
        w.network(data, a.value);
        data += 4;
      }
    });
  };
  const writeNames = (at: number, groups: readonly NameGroup[]): void => {
    w.dword(at, groups.length);
    w.dword(
      at + 4,
      groups.reduce((n, g) => n + g.names.length, 0),
    );
    let e = at + 8;
    for (const g of groups) {
      w.dword(e, ((g.components & 0x7fffffff) | (g.noSubdomain ? SELF_REF : 0)) >>> 0);
      w.dword(e + 4, g.names.length);
      g.names.forEach((n, j) => {
        w.ref(e + 8 + 4 * j, data);
        for (let i = 0; i < n.name.length; i++) w.bytes[data + i] = n.name.charCodeAt(i) & 0xff;
        w.bytes[data + n.name.length] = 0;
        data += n.name.length + 1;
      });
      e += 8 + 4 * g.names.length;
    }
  };
  writeAddresses(denyAddrAt, list.denyAddresses);
  writeAddresses(grantAddrAt, list.grantAddresses);
  writeNames(denyNameAt, list.denyNames);
  writeNames(grantNameAt, list.grantNames);
  return w.bytes;
}

// ---------------------------------------------------------------------------------------------
// What a list means (cipsec's GrantByDefault rule, shared/EXCHANGE-IIS.md §B.2)

export type ListSide = 'grant' | 'deny';

export interface ListMeaning {
  /** onlyList = "Only the list below" (deny by default); allExcept = "All except the list below". */
  readonly mode: 'onlyList' | 'allExcept';
  /** The side whose entries the dialog shows (grant for onlyList, deny for allExcept). */
  readonly side: ListSide;
  /** The lone grant 0.0.0.0/255.255.255.255 IIS writes for an empty "Only the list below". */
  readonly placeholder: boolean;
}

function countAddresses(groups: readonly AddressGroup[]): number {
  return groups.reduce((n, g) => n + g.addresses.length, 0);
}

function countNames(groups: readonly NameGroup[]): number {
  return groups.reduce((n, g) => n + g.names.length, 0);
}

/** GrantByDefault = !(grants > denies); an empty list grants by default. */
export function meaningOf(list: IpSecList | undefined): ListMeaning {
  if (list === undefined) return { mode: 'allExcept', side: 'deny', placeholder: false };
  const grants = countAddresses(list.grantAddresses) + countNames(list.grantNames);
  const denies = countAddresses(list.denyAddresses) + countNames(list.denyNames);
  if (!(grants > denies)) return { mode: 'allExcept', side: 'deny', placeholder: false };
  const onlyAddress =
    countAddresses(list.grantAddresses) === 1
      ? list.grantAddresses.find((g) => g.addresses.length === 1)
      : undefined;
  const placeholder =
    onlyAddress !== undefined &&
    onlyAddress.mask === SINGLE_HOST_MASK &&
    onlyAddress.addresses[0]?.value === 0;
  return { mode: 'onlyList', side: 'grant', placeholder };
}

/** One entry the dialog shows, flattened out of the groups. */
export type FlatEntry =
  | {
      readonly kind: 'address';
      readonly value: number;
      readonly mask: number;
      /** Byte offset of the address (decoded lists). */
      readonly offset?: number;
      readonly maskOffset?: number;
    }
  | {
      readonly kind: 'name';
      readonly name: string;
      readonly noSubdomain: boolean;
      readonly components: number;
      readonly offset?: number;
    };

/** The entries of one side, in blob order (addresses first, then names). */
export function entriesOf(list: IpSecList, side: ListSide): FlatEntry[] {
  const groups = side === 'grant' ? list.grantAddresses : list.denyAddresses;
  const names = side === 'grant' ? list.grantNames : list.denyNames;
  const out: FlatEntry[] = [];
  for (const g of groups)
    for (const a of g.addresses)
      out.push({
        kind: 'address',
        value: a.value,
        mask: g.mask,
        ...(a.offset !== undefined ? { offset: a.offset } : {}),
        ...(g.maskOffset !== undefined ? { maskOffset: g.maskOffset } : {}),
      });
  for (const g of names)
    for (const n of g.names)
      out.push({
        kind: 'name',
        name: n.name,
        noSubdomain: g.noSubdomain,
        components: g.components,
        ...(n.offset !== undefined ? { offset: n.offset } : {}),
      });
  return out;
}

/** Groups flat address entries by mask (first appearance order), as IIS stores them. */
export function groupAddresses(entries: readonly FlatEntry[]): AddressGroup[] {
  const byMask = new Map<number, BlobAddress[]>();
  for (const e of entries) {
    if (e.kind !== 'address') continue;
    const list = byMask.get(e.mask) ?? [];
    list.push({ value: e.value });
    byMask.set(e.mask, list);
  }
  return [...byMask].map(([mask, addresses]) => ({ family: AF_INET, mask, addresses }));
}

/** Groups flat name entries by (components, no-subdomain flag). */
export function groupNames(entries: readonly FlatEntry[]): NameGroup[] {
  const byKey = new Map<string, NameGroup & { names: BlobName[] }>();
  for (const e of entries) {
    if (e.kind !== 'name') continue;
    const key = `${String(e.components)}|${String(e.noSubdomain)}`;
    const g = byKey.get(key) ?? {
      components: e.components,
      noSubdomain: e.noSubdomain,
      names: [],
    };
    g.names.push({ name: e.name });
    byKey.set(key, g);
  }
  return [...byKey.values()];
}

/**
 * The list IIS writes for a mode and its entries: the other side is emptied (as the ADSI object
 * does on write); "Only the list below" with no entries gets the placeholder grant, since an
 * empty list would grant by default.
 */
export function buildList(
  mode: 'onlyList' | 'allExcept',
  entries: readonly FlatEntry[],
  flags = 1,
): IpSecList {
  const placeholder: FlatEntry = { kind: 'address', value: 0, mask: SINGLE_HOST_MASK };
  const shown = mode === 'onlyList' && entries.length === 0 ? [placeholder] : entries;
  const addresses = groupAddresses(shown);
  const names = groupNames(shown);
  return mode === 'onlyList'
    ? { flags, denyAddresses: [], grantAddresses: addresses, denyNames: [], grantNames: names }
    : { flags, denyAddresses: addresses, grantAddresses: [], denyNames: names, grantNames: [] };
}

/** `a.b.c.d` of a 32-bit value. */
export function dotted(v: number): string {
  return `${String((v >>> 24) & 0xff)}.${String((v >>> 16) & 0xff)}.${String((v >>> 8) & 0xff)}.${String(v & 0xff)}`;
}
