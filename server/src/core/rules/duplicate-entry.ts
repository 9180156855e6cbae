import type { ParsedFile } from '../model.js';
import type { IntervalSet } from '../net/interval-set.js';
import { lists, listLabel, shown } from '../relay/entries.js';
import { addressesWord, comparableSet, domainKey, removeEntryFix } from '../relay/list-entries.js';
import type { ListEntry } from '../relay/view.js';
import { defineRule } from '../rule.js';
import { lineOf } from '../text.js';
import { child } from '../tree.js';

function setKey(set: IntervalSet): string {
  return set.intervals.map((iv) => `${iv.lo.toString(16)}-${iv.hi.toString(16)}`).join(',');
}

/**
 * An entry that carries words of its author: a `note:`, or a comment at the end of one of its
 * lines. Of a set of copies, the annotated one is kept (removing it would lose the note), and
 * removing an annotated copy is not a safe fix.
 */
function annotated(file: ParsedFile, entry: ListEntry): boolean {
  if (child(entry.node, 'note') !== undefined) return true;
  const first = lineOf(file.lineStarts, entry.node.span.start);
  const last = lineOf(file.lineStarts, entry.node.span.end);
  return file.comments.some((c) => c.trailing && c.line >= first && c.line <= last);
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
      same: '"{entry}" in the {list} of "{listener}" repeats "{first}" written {where} it; the copy changes nothing. Remove it.',
      notation:
        '"{entry}" in the {list} of "{listener}" denotes the same {what} as "{first}" {where} it, in another notation; the copy changes nothing. Remove it.',
      domain:
        'The domain entry "{entry}" in the {list} of "{listener}" repeats "{first}" written {where} it; the copy changes nothing. Remove it.',
    },
    rationale:
      'A list that names the same addresses twice is harder to review: the reader has to work out that 10.0.0.0/24, 10.0.0.0/255.255.255.0 and 10.0.0.0-10.0.0.255 are one grant, and a later edit to one copy (narrowing it, removing it) silently leaves the other in force. Removing a duplicate never changes who may relay or connect.',
  },
  *check({ file, doc, view }) {
    for (const { listener, list } of lists(view)) {
      const product = listener.server.product;
      // The entry kept of each address set (keyed by its intervals) and of each domain name:
      // the first annotated one, else the first one.
      const keyOf = (entry: ListEntry): string | undefined => {
        const set = comparableSet(entry, product);
        const domain = domainKey(entry);
        return set !== undefined
          ? setKey(set)
          : domain !== undefined
            ? `domain:${domain}`
            : undefined;
      };
      const kept = new Map<string, ListEntry>();
      for (const entry of list.entries) {
        const key = keyOf(entry);
        if (key === undefined) continue;
        const current = kept.get(key);
        if (current === undefined || (!annotated(file, current) && annotated(file, entry)))
          kept.set(key, entry);
      }
      for (const entry of list.entries) {
        const set = comparableSet(entry, product);
        const domain = domainKey(entry);
        const key = keyOf(entry);
        const keptEntry = key !== undefined ? kept.get(key) : undefined;
        if (keptEntry === undefined || keptEntry === entry) continue;
        const first = { entry: keptEntry };
        const above = keptEntry.index < entry.index;
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
            where: above ? 'above' : 'below',
          },
          related: [
            {
              path: first.entry.path,
              message: above
                ? `First written here: "${shown(first.entry)}".`
                : `Written again here, with its note: "${shown(first.entry)}".`,
            },
          ],
          fixes: removeEntryFix(file, doc, list, entry, {
            safe: !annotated(file, entry),
            preferred: true,
          }),
        };
      }
    }
  },
});
