import type { ValidEntry } from '../net/entry.js';
import type { DocumentView, ListEntry, ListenerView, ListView } from './view.js';

export interface AllowEntry {
  readonly listener: ListenerView;
  readonly list: ListView;
  readonly entry: ListEntry;
  readonly parsed: ValidEntry;
}

/** Every list (relay and connection) of every listener. */
export function* lists(view: DocumentView): Generator<{ listener: ListenerView; list: ListView }> {
  for (const listener of view.listeners) {
    if (listener.relay !== undefined) yield { listener, list: listener.relay };
    if (listener.connection !== undefined) yield { listener, list: listener.connection };
  }
}

const allowed = new WeakMap<DocumentView, readonly AllowEntry[]>();

/**
 * Valid address entries of every `onlyList` list: the entries that grant something. Listed once
 * per view (one lint of one document) for all the rules that walk them.
 */
export function allowEntries(view: DocumentView): readonly AllowEntry[] {
  let all = allowed.get(view);
  if (all !== undefined) return all;
  const made: AllowEntry[] = [];
  for (const { listener, list } of lists(view)) {
    if (list.mode !== 'onlyList') continue;
    for (const entry of list.entries) {
      const parsed = entry.address?.parsed;
      if (parsed?.kind === 'ok') made.push({ listener, list, entry, parsed });
    }
  }
  all = made;
  allowed.set(view, all);
  return all;
}

/** Quoted entry text for messages, as the administrator wrote it. */
export function shown(entry: ListEntry): string {
  return entry.address?.text ?? entry.domain?.name ?? '?';
}

export function listLabel(list: ListView): string {
  return list.kind === 'relay' ? 'relay list' : 'connection list';
}
