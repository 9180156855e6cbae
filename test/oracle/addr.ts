/**
 * Address arithmetic for the oracle's generator: IPv4 and IPv6 as bigints, enough to draw
 * networks and the addresses on their boundaries. Deliberately independent of the linter's own
 * `server/src/core/net` code, so a bug there cannot hide itself in the questions asked.
 */

export type Family = 4 | 6;

export interface Net {
  readonly family: Family;
  /** The first address of the network (host bits cleared). */
  readonly first: bigint;
  /** The last address of the network. */
  readonly last: bigint;
  readonly prefix: number;
}

export function bitsOf(family: Family): number {
  return family === 4 ? 32 : 128;
}

export function parseV4(text: string): bigint {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not IPv4: ${text}`);
  let v = 0n;
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) throw new Error(`not IPv4: ${text}`);
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
}

export function parseV6(text: string): bigint {
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`not IPv6: ${text}`);
  const [h = '', t] = halves;
  const head = h === '' ? [] : h.split(':');
  const tail = t !== undefined && t !== '' ? t.split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail];
  if (groups.length !== 8) throw new Error(`not IPv6: ${text}`);
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`not IPv6: ${text}`);
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

/** RFC 5952 text (longest run of zero groups compressed, lower case). */
export function formatV6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

export function parseAddr(text: string): { family: Family; value: bigint } {
  return text.includes(':')
    ? { family: 6, value: parseV6(text) }
    : { family: 4, value: parseV4(text) };
}

export function formatAddr(family: Family, v: bigint): string {
  return family === 4 ? formatV4(v) : formatV6(v);
}

export function netOf(family: Family, addr: bigint, prefix: number): Net {
  const bits = bitsOf(family);
  const size = 1n << BigInt(bits - prefix);
  const first = addr - (addr % size);
  return { family, first, last: first + size - 1n, prefix };
}

/** Parses `a.b.c.d/len`, `a.b.c.d`, `v6/len`; host bits are cleared. */
export function parseNet(text: string): Net {
  const [a = '', len] = text.split('/');
  const { family, value } = parseAddr(a);
  return netOf(family, value, len === undefined ? bitsOf(family) : Number(len));
}

export function contains(net: Net, family: Family, v: bigint): boolean {
  return net.family === family && v >= net.first && v <= net.last;
}

export function maxOf(family: Family): bigint {
  return (1n << BigInt(bitsOf(family))) - 1n;
}
