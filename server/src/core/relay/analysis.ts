import { IntervalSet } from '../net/interval-set.js';
import { parseAddress } from '../net/ip.js';
import { BUILTIN_TRUSTED, LOOPBACK, V4_ALL } from '../net/scope.js';
import type { ListenerView, ListView } from './view.js';

/** Union of the address entries of a list; domain entries match by reverse DNS and are not here. */
export function entriesSet(list: ListView | undefined): IntervalSet {
  if (list === undefined) return IntervalSet.EMPTY;
  const sets: IntervalSet[] = [];
  for (const e of list.entries) {
    const p = e.address?.parsed;
    if (p !== undefined && p.kind !== 'invalid') sets.push(p.set);
  }
  return IntervalSet.union(sets);
}

/** Addresses a list lets through: the entries for onlyList, everything else for allExcept. */
export function allowedBy(list: ListView): IntervalSet | undefined {
  if (list.mode === 'onlyList') return entriesSet(list);
  if (list.mode === 'allExcept') return IntervalSet.ALL.subtract(entriesSet(list));
  return undefined;
}

/** conn(L): absent connection control lets every address connect. */
export function connSet(l: ListenerView): IntervalSet {
  if (l.connection === undefined) return IntervalSet.ALL;
  // A connection list without a valid mode is a schema error; assume it restricts nothing.
  return allowedBy(l.connection) ?? IntervalSet.ALL;
}

/** relaySet(L); a relay block without a valid mode is a schema error and grants nothing here. */
export function relaySet(l: ListenerView): IntervalSet {
  if (l.relay === undefined) return IntervalSet.EMPTY;
  return allowedBy(l.relay) ?? IntervalSet.EMPTY;
}

/** The host part of a binding: "0.0.0.0:25" → 0.0.0.0, "[::1]:25" → ::1. */
export function bindingHost(binding: string): string {
  const b = binding.trim();
  if (b.startsWith('[')) return b.slice(1, b.indexOf(']') < 0 ? undefined : b.indexOf(']'));
  const colon = b.lastIndexOf(':');
  return colon >= 0 && b.indexOf(':') === colon ? b.slice(0, colon) : b;
}

export function isLoopbackBinding(binding: string): boolean {
  const p = parseAddress(bindingHost(binding));
  return p.kind === 'ok' && LOOPBACK.containsSet(IntervalSet.of(p.address.value, p.address.value));
}

/** reach(L): loopback only when every binding is a loopback address. */
export function reachSet(l: ListenerView): IntervalSet {
  return l.bindings.every(isLoopbackBinding) ? LOOPBACK : IntervalSet.ALL;
}

/** U(L): who may relay without authenticating. */
export function unauthenticatedRelaySet(l: ListenerView): IntervalSet {
  if (!l.enabled || l.anonymous?.value !== true) return IntervalSet.EMPTY;
  return reachSet(l).intersect(connSet(l)).intersect(relaySet(l));
}

export interface TrustModel {
  readonly trusted: IntervalSet;
}

export function trustModel(trustedNetworks: readonly IntervalSet[] = []): TrustModel {
  return { trusted: IntervalSet.union([BUILTIN_TRUSTED, ...trustedNetworks]) };
}

export function untrusted(set: IntervalSet, trust: TrustModel): IntervalSet {
  return set.subtract(trust.trusted);
}

export function splitFamilies(set: IntervalSet): { v4: bigint; v6: bigint } {
  const v4 = set.intersect(V4_ALL).count();
  return { v4, v6: set.count() - v4 };
}
