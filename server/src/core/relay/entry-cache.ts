import { type EntryParse, parseEntry } from '../net/entry.js';
import type { IntervalSet } from '../net/interval-set.js';
import { type ScopePart, splitByScope } from '../net/scope.js';

/**
 * A map that forgets: lookups hit the current generation, then the previous one (and promote
 * the hit); when the current generation is full it becomes the previous one. It holds between
 * `limit` and `2 × limit` values, the most recently used ones, at constant cost per call.
 */
export class Generations<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K, make: (key: K) => V): V {
    const hit = this.current.get(key);
    if (hit !== undefined) return hit;
    const old = this.previous.get(key);
    const value = old !== undefined ? old : make(key);
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
    return value;
  }

  clear(): void {
    this.current = new Map();
    this.previous = new Map();
  }
}

/**
 * Parsed entries by their text, shared by every lint of the process (SPEC: an entry's meaning
 * depends on its text alone). Results are immutable, so one object serves every list that
 * writes the same text; analyses keyed on that object (breadth.ts) then survive across lints
 * too, and a one-character edit re-analyses only the entry it touched. 25,000 recent texts cost
 * a few MB.
 */
const parses = new Generations<string, EntryParse>(25_000);

export function parseEntryCached(text: string): EntryParse {
  return parses.get(text, parseEntry);
}

/**
 * Forgets every parsed entry, and with them (they are keyed on the parsed objects) every
 * analysis derived from one: the next lint is cold. For tests and for memory pressure.
 */
export function clearEntryCaches(): void {
  parses.clear();
}

const scopes = new WeakMap<object, readonly ScopePart[]>();

/** `splitByScope(entry.set)`, computed once per parsed entry (RLY010, RLY012, RLY023 share it). */
export function scopePartsOf(entry: { readonly set: IntervalSet }): readonly ScopePart[] {
  let parts = scopes.get(entry);
  if (parts === undefined) {
    parts = splitByScope(entry.set);
    scopes.set(entry, parts);
  }
  return parts;
}
