import type { Hover } from 'vscode-languageserver';
import type { JsonPath, ParsedFile } from '../core/model.js';
import { describeCount, splitByScope } from '../core/net/scope.js';
import { IntervalSet } from '../core/net/interval-set.js';
import {
  type TrustModel,
  unauthenticatedRelaySet,
  untrusted,
  reachSet,
  connSet,
  relaySet,
} from '../core/relay/analysis.js';
import { describeAddresses } from '../core/relay/describe.js';
import { type ListEntry, type ListenerView, type ListView, viewOf } from '../core/relay/view.js';
import { samePath } from '../core/tree.js';
import { toRange } from './diagnostics.js';
import { locate } from './locate.js';
import { describe, relayConfigSchema } from './schema-nav.js';

/**
 * Hover at an offset in a relay-model file: for an address entry, what it denotes; for a listener
 * (its `name` or its `relay` key), who may relay without authenticating; for any key, its schema
 * description. `hover-at.ts` sends native files elsewhere.
 */
export function modelHoverAt(parsed: ParsedFile, offset: number, trust: TrustModel): Hover | null {
  const at = locate(parsed, offset);
  if (at === undefined) return null;
  const view = viewOf(at.doc);
  const sections: string[] = [];
  const entry = findEntry(view.listeners, at.path);
  if (entry !== undefined) sections.push(entryHover(entry.list, entry.entry));
  const listener = listenerAt(view.listeners, at.path, at.onKey);
  if (listener !== undefined) sections.push(listenerHover(listener, trust));
  if (entry === undefined && (at.onKey || at.node.kind === 'scalar')) {
    const text = describe(relayConfigSchema.at(at.path));
    if (text !== undefined) sections.push(text);
  }
  if (sections.length === 0) return null;
  return {
    contents: { kind: 'markdown', value: sections.join('\n\n---\n\n') },
    range: toRange(parsed.lineStarts, at.span),
  };
}

export function findEntry(
  listeners: readonly ListenerView[],
  path: JsonPath,
): { list: ListView; entry: ListEntry } | undefined {
  // The entry itself, or the `address`/`domain` of an object entry.
  const itemPath = typeof path[path.length - 1] === 'string' ? path.slice(0, -1) : path;
  for (const l of listeners) {
    for (const list of [l.relay, l.connection]) {
      const entry = list?.entries.find((e) => samePath(e.path, itemPath));
      if (list !== undefined && entry !== undefined) return { list, entry };
    }
  }
  return undefined;
}

function listenerAt(
  listeners: readonly ListenerView[],
  path: JsonPath,
  onKey: boolean,
): ListenerView | undefined {
  const last = path[path.length - 1];
  if (last !== 'name' && !(last === 'relay' && onKey)) return undefined;
  return listeners.find((l) => samePath(l.path, path.slice(0, -1)));
}

export function code(text: string): string {
  return '`' + text.replace(/`/g, "'") + '`';
}

function plural(n: bigint, word: string): string {
  return `${describeCount(n)} ${n === 1n ? word : `${word}es`}`;
}

/** Scope lines shown per family before the rest are summed up (an open listener has 25). */
const MAX_SCOPE_LINES = 4;

/** "16,777,216 addresses, private (RFC 1918)" or a breakdown when the set crosses scopes. */
export function describeSet(set: IntervalSet): string {
  const parts = splitByScope(set);
  const total = plural(set.count(), 'address');
  if (parts.length === 1 && parts[0] !== undefined) return `${total}, ${parts[0].label}`;
  return `${total}:\n\n${scopeLines(set)}`;
}

/** The scopes of a set per family (IPv4 first), largest first, the small ones summed up. */
export function scopeLines(set: IntervalSet): string {
  const all = splitByScope(set);
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    const parts = all
      .filter((p) => p.family === family)
      .sort((a, b) => (a.count < b.count ? 1 : a.count > b.count ? -1 : 0));
    const shown = parts.length > MAX_SCOPE_LINES + 1 ? parts.slice(0, MAX_SCOPE_LINES) : parts;
    for (const p of shown) lines.push(`- ${describeCount(p.count)} ${p.label} (IPv${family})`);
    const rest = parts.slice(shown.length);
    if (rest.length === 0) continue;
    const count = rest.reduce((sum, p) => sum + p.count, 0n);
    lines.push(`- ${describeCount(count)} in ${rest.length} more IPv${family} scopes`);
  }
  return lines.join('\n');
}

function listRole(list: ListView): string {
  const what = list.kind === 'relay' ? 'relay' : 'connect';
  if (list.mode === 'onlyList') return `allowed to ${what} (\`${list.kind}.mode: onlyList\`)`;
  if (list.mode === 'allExcept') return `barred from ${what}ing (\`${list.kind}.mode: allExcept\`)`;
  return `in the ${list.kind} list`;
}

/**
 * What an address entry denotes. `role` says what its list does with it ("allowed to relay
 * (`relay.mode: onlyList`)"); native files say it in their product's words.
 */
export function entryHover(list: ListView, entry: ListEntry, role = listRole(list)): string {
  if (entry.domain !== undefined) {
    return (
      `**${code(entry.domain.name)}** — domain-name entry, ${role}.\n\n` +
      'It matches clients by reverse DNS, which whoever controls the client address controls; ' +
      'it is not part of the address sets Relay Lint computes.'
    );
  }
  const address = entry.address;
  if (address === undefined) return `An entry ${role}, of a type Relay Lint cannot read.`;
  const p = address.parsed;
  switch (p.kind) {
    case 'invalid':
      return `**${code(address.text)}** is not a valid address: ${p.why}.`;
    case 'ambiguous':
      return (
        `**${code(address.text)}** is ambiguous (${p.why}): it may be read as ${p.readings.map(code).join(' or ')}.\n\n` +
        `Together: ${describeSet(p.set)}. ${capitalise(role)}.`
      );
    case 'ok': {
      const lines = [`**${code(p.canonical)}** — ${describeSet(p.set)}`];
      if (p.canonical !== address.text.trim()) lines.push(`Written ${code(address.text)}.`);
      if (p.hostBits !== undefined)
        lines.push(`Host bits are set: it denotes the network ${code(p.hostBits.network)}.`);
      if (p.mapped) lines.push('IPv4-mapped IPv6: judged as the IPv4 addresses it embeds.');
      lines.push(`${capitalise(role)}.`);
      return lines.join('\n\n');
    }
  }
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function listenerHover(l: ListenerView, trust: TrustModel): string {
  return `${listenerTitle(l)}\n\n${relayBody(l, trust)}`;
}

export function listenerTitle(l: ListenerView): string {
  return `**Listener ${code(l.name)}** on server ${code(l.server.name)}`;
}

/**
 * Who may relay through a listener without authenticating, and how many are untrusted. `u` is
 * U(L) (a native format may model one listener as several views: the caller unites them).
 */
export function relayBody(
  l: ListenerView,
  trust: TrustModel,
  u: IntervalSet = unauthenticatedRelaySet(l),
): string {
  if (u.isEmpty()) return `Nobody may relay without authenticating: ${whyEmpty(l)}.`;
  const bad = untrusted(u, trust);
  const who = IntervalSet.ALL.subtract(u).isEmpty()
    ? 'every IPv4 and IPv6 address'
    : describeAddresses(u);
  const lines = [
    `Without authenticating, ${who} may relay (U(L) = reach ∩ conn ∩ relaySet):`,
    scopeLines(u),
  ];
  lines.push(
    bad.isEmpty()
      ? 'All of them are trusted (loopback, private, ULA, link-local or `trustedNetworks`).'
      : `**${describeAddresses(bad)} of them are untrusted**: this listener is an open relay for them.`,
  );
  return lines.join('\n\n');
}

function whyEmpty(l: ListenerView): string {
  if (!l.enabled) return 'the listener is disabled';
  if (l.anonymous?.value !== true) return 'anonymous access is off';
  if (relaySet(l).isEmpty()) return 'the relay list grants no address';
  if (reachSet(l).intersect(connSet(l)).isEmpty())
    return 'no address that may connect is in the relay set';
  return 'no address is both reachable, allowed to connect and in the relay set';
}
