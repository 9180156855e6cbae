import type { IntervalSet } from '../net/interval-set.js';
import { lists, listLabel, shown } from '../relay/entries.js';
import { describeCount } from '../net/scope.js';
import { comparableSet, removeEntryFix } from '../relay/list-entries.js';
import type { ListEntry } from '../relay/view.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY017',
    name: 'redundant-entry',
    title: 'An entry lies inside another entry of the same list',
    category: 'hygiene',
    severity: 'info',
    fixable: 'safe',
    tags: ['unnecessary'],
    messages: {
      contained:
        '"{entry}" in the {list} of "{listener}" lies inside "{container}" ({inner} of its {outer} addresses), so it adds nothing. Remove it, or narrow "{container}" if only these addresses were meant.',
    },
    rationale:
      'An entry inside a broader entry of the same list has no effect, and it misleads a reviewer: the narrow entry suggests that only a few hosts are meant, while the broader one quietly grants (or, in a deny list, excludes) the whole range. Removing the contained entry never changes who may relay or connect.',
  },
  *check({ file, doc, view }) {
    for (const { listener, list } of lists(view)) {
      const product = listener.server.product;
      const comparable: { entry: ListEntry; set: IntervalSet }[] = [];
      for (const entry of list.entries) {
        const set = comparableSet(entry, product);
        if (set !== undefined) comparable.push({ entry, set });
      }
      for (const { entry, set } of comparable) {
        // Strict containment: equal sets are RLY016's.
        const outer = comparable.find(
          (c) => c.entry !== entry && c.set.containsSet(set) && !c.set.equals(set),
        );
        if (outer === undefined) continue;
        yield {
          messageId: 'contained',
          path: entry.path,
          data: {
            entry: shown(entry),
            container: shown(outer.entry),
            list: listLabel(list),
            listener: listener.name,
            inner: describeCount(set.count()),
            outer: describeCount(outer.set.count()),
          },
          related: [
            { path: outer.entry.path, message: `The broader entry "${shown(outer.entry)}".` },
          ],
          fixes: removeEntryFix(file, doc, list, entry, { safe: true, preferred: true }),
        };
      }
    }
  },
});
