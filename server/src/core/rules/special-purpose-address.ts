import { allowEntries, listLabel, shown } from '../relay/entries.js';
import { scopePartsOf } from '../relay/entry-cache.js';
import { removeEntryFix } from '../relay/list-entries.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY023',
    name: 'special-purpose-address',
    title: 'An allow entry lies in special-purpose address space',
    category: 'correctness',
    severity: 'low',
    fixable: 'unsafe',
    messages: {
      special:
        '"{entry}" in the {list} of "{listener}" is {space} space, which no real mail client sends from: the entry is probably a copied example or a placeholder. Replace it with the address of the host that needs access, or remove it.',
    },
    rationale:
      'Parts of the address space are reserved for purposes other than addressing hosts on a network (RFC 6890 and the IANA special-purpose registries): documentation examples (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), benchmarking, "this network" 0.0.0.0/8, multicast, reserved and broadcast space. A client never connects from them, so an allow entry there grants nothing today; it usually marks an example copied from documentation whose real address was never filled in, or a typo for a real network.',
  },
  *check({ file, doc, view }) {
    for (const { listener, list, entry, parsed } of allowEntries(view)) {
      if (parsed.unspecified) continue; // a bare 0.0.0.0 or :: is RLY025's alone
      const parts = scopePartsOf(parsed);
      if (parts.length === 0 || parts.some((p) => p.scope !== 'special')) continue;
      const labels = [...new Set(parts.map((p) => p.label))];
      yield {
        messageId: 'special',
        path: entry.path,
        data: {
          entry: shown(entry),
          list: listLabel(list),
          listener: listener.name,
          space: andList(labels),
        },
        fixes: removeEntryFix(file, doc, list, entry, { safe: false, preferred: true }),
      };
    }
  },
});

/** "a", "a and b", "a, b and c". */
function andList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}
