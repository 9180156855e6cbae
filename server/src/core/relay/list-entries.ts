import { removeItem } from '../fix/edits.js';
import type { ConfigDocument, Fix, ParsedFile } from '../model.js';
import type { IntervalSet } from '../net/interval-set.js';
import { describeCount, V4_ALL } from '../net/scope.js';
import { relaySchema } from '../schema/validate.js';
import { lists, listLabel, shown } from './entries.js';
import type { DocumentView, ListEntry, ListenerView, ListView } from './view.js';

/** One entry of a relay or connection list, in either mode: what the entry rules describe. */
export interface AnyEntry {
  readonly listener: ListenerView;
  readonly list: ListView;
  readonly entry: ListEntry;
}

const every = new WeakMap<DocumentView, readonly AnyEntry[]>();

/**
 * Every entry of every list (relay and connection, onlyList and allExcept), in file order;
 * listed once per view (one lint of one document) for the seven rules that walk them.
 */
export function everyEntry(view: DocumentView): readonly AnyEntry[] {
  let all = every.get(view);
  if (all !== undefined) return all;
  const made: AnyEntry[] = [];
  for (const { listener, list } of lists(view)) {
    for (const entry of list.entries) made.push({ listener, list, entry });
  }
  all = made;
  every.set(view, all);
  return all;
}

/**
 * An `allExcept` list: its entries take rights away. A list without a valid mode is a schema
 * error and is read as an allow list (the reading under which an entry grants something).
 */
export function isDenyList(list: ListView): boolean {
  return list.mode === 'allExcept';
}

/** "relay" or "connection" list, with its mode in words: "relay allow list", "connection deny list". */
export function listRole(list: ListView): string {
  return `${list.kind} ${isDenyList(list) ? 'deny' : 'allow'} list`;
}

/** A fix that removes the entry from its list; none when the list is not an array. */
export function removeEntryFix(
  file: ParsedFile,
  doc: ConfigDocument,
  list: ListView,
  entry: ListEntry,
  options: { readonly safe: boolean; readonly preferred: boolean },
): Fix[] {
  if (list.listNode?.kind !== 'array') return [];
  return [
    {
      title: `Remove "${shown(entry)}" from the ${listLabel(list)}`,
      safe: options.safe,
      preferred: options.preferred,
      edits: removeItem(file, doc.root, list.listNode, entry.index),
    },
  ];
}

interface SchemaWithAddress {
  readonly $defs: { readonly addressString: { readonly pattern: string } };
}

const ADDRESS_PATTERN = new RegExp(
  (relaySchema as unknown as SchemaWithAddress).$defs.addressString.pattern,
);

/**
 * Whether the schema's loose address pattern accepts `text`. Strings it rejects are RLY000's
 * (with a hint); the address rules judge only what passes it, so one typo gets one finding.
 */
export function passesAddressPattern(text: string): boolean {
  return ADDRESS_PATTERN.test(text);
}

/**
 * The set of an entry for comparing entries of one list (RLY016, RLY017): undefined for entries
 * whose meaning is not settled — invalid or ambiguous ones, zoned ones (an interface's address,
 * RLY022), non-contiguous masks (what a product does with one is unknown, RLY015) and, on
 * Postfix, ones with host bits (Postfix rejects them and fails closed, so
 * removing one changes behaviour).
 *
 * An IPv6 entry that is not IPv4-mapped (`::/0`, `::/64`) is compared by its IPv6 addresses
 * only: in the unified space it also spans ::ffff:0:0/96, but products match IPv4 clients
 * against IPv4 entries (Exchange's default connector lists `::-ffff:…` and
 * `0.0.0.0-255.255.255.255` side by side), so removing `0.0.0.0/0` "inside" `::/0` would not be
 * safe.
 */
export function comparableSet(entry: ListEntry, product: string): IntervalSet | undefined {
  const p = entry.address?.parsed;
  if (p?.kind !== 'ok' || p.zoneId !== undefined || p.nonContiguousMask === true) return undefined;
  if (product === 'postfix' && p.hostBits !== undefined) return undefined;
  return p.family === 6 ? p.set.subtract(V4_ALL) : p.set;
}

/** A domain entry's name for comparison: case and a trailing dot do not matter in DNS. */
export function domainKey(entry: ListEntry): string | undefined {
  return entry.domain?.name.toLowerCase().replace(/\.$/, '');
}

/** "address" for one, "256 addresses" otherwise. */
export function addressesWord(count: bigint): string {
  return count === 1n ? 'address' : `${describeCount(count)} addresses`;
}
