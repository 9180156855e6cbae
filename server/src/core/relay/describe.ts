import type { IntervalSet } from '../net/interval-set.js';
import { describeCount } from '../net/scope.js';
import { splitFamilies } from './analysis.js';

/** "4,294,967,296 IPv4 and 2^128 IPv6 addresses" — counts a reader can act on. */
export function describeAddresses(set: IntervalSet, qualifier = ''): string {
  const { v4, v6 } = splitFamilies(set);
  const q = qualifier === '' ? '' : `${qualifier} `;
  const parts: string[] = [];
  if (v4 > 0n) parts.push(`${describeCount(v4)} ${q}IPv4`);
  if (v6 > 0n) parts.push(`${describeCount(v6)} ${q}IPv6`);
  if (parts.length === 0) return `no ${q}addresses`;
  const total = v4 + v6;
  return `${parts.join(' and ')} ${total === 1n ? 'address' : 'addresses'}`;
}
