import type { IntervalSet } from '../net/interval-set.js';
import { lists, listLabel, shown } from '../relay/entries.js';
import { addressesWord, comparableSet, domainKey, removeEntryFix } from '../relay/list-entries.js';
import type { ListEntry } from '../relay/view.js';
import { defineRule } from '../rule.js';

function setKey(set: IntervalSet): string {
  return set.intervals.map((iv) => `${iv.lo.toString(16)}-${iv.hi.toString(16)}`).join(',');
}

export default defineRule({
  meta: {
    id: 'RLY016',
    name: 'duplicate-entry',
    title: 'Two entries of one list denote the same addresses',
    category: 'hygiene',
    severity: 'info',
    fixable: 'safe',
    tags: ['unnecessary'],
    messages: {
      same: '"{entry}" in the {list} of "{listener}" repeats "{first}" written above it; the copy changes nothing. Remove it.',
      notation:
        '"{entry}" in the {list} of "{listener}" denotes the same {what} as "{first}" above it, in another notation; the copy changes nothing. Remove it.',
      domain:
        'The domain entry "{entry}" in the {list} of "{listener}" repeats "{first}" written above it; the copy changes nothing. Remove it.',
    },
    rationale:
      'A list that names the same addresses twice is harder to review: the reader has to work out that 10.0.0.0/24, 10.0.0.0/255.255.255.0 and 10.0.0.0-10.0.0.255 are one grant, and a later edit to one copy (narrowing it, removing it) silently leaves the other in force. Removing a duplicate never changes who may relay or connect.',
  },
  *check({ file, doc, view }) {
    for (const { listener, list } of lists(view)) {
      const product = listener.server.product;
      // The first entry of each address set (keyed by its intervals) and of each domain name.
      const seen = new Map<string, ListEntry>();
      for (const entry of list.entries) {
        const set = comparableSet(entry, product);
        const domain = domainKey(entry);
        const key =
          set !== undefined ? setKey(set) : domain !== undefined ? `domain:${domain}` : undefined;
        if (key === undefined) continue;
        const firstEntry = seen.get(key);
        if (firstEntry === undefined) {
          seen.set(key, entry);
          continue;
        }
        const first = { entry: firstEntry };
        const written = entry.address?.parsed;
        const sameText =
          written?.kind === 'ok' &&
          first.entry.address?.parsed.kind === 'ok' &&
          written.canonical === first.entry.address.parsed.canonical;
        yield {
          messageId: domain !== undefined ? 'domain' : sameText ? 'same' : 'notation',
          path: entry.path,
          data: {
            entry: shown(entry),
            first: shown(first.entry),
            list: listLabel(list),
            listener: listener.name,
            what: set !== undefined ? addressesWord(set.count()) : '',
          },
          related: [
            { path: first.entry.path, message: `First written here: "${shown(first.entry)}".` },
          ],
          fixes: removeEntryFix(file, doc, list, entry, { safe: true, preferred: true }),
        };
      }
    }
  },
});
