import { listLabel, shown } from '../relay/entries.js';
import { everyEntry, isDenyList, removeEntryFix } from '../relay/list-entries.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY025',
    name: 'unspecified-address',
    title: 'An entry is the unspecified address 0.0.0.0 or ::',
    category: 'correctness',
    severity: 'low',
    fixable: 'unsafe',
    messages: {
      allow:
        '"{entry}" in the {list} of "{listener}" is the unspecified address, which no client ever connects from, so it grants nothing; it was probably meant as "any address", which would open this list to everyone. List the hosts that need access, and remove this entry.',
      deny: '"{entry}" in the {list} of "{listener}" is the unspecified address, which no client ever connects from, so it excludes nobody; if it was meant as "every address", use mode: onlyList with an empty list instead. Remove this entry.',
    },
    rationale:
      'The unspecified address (0.0.0.0 in IPv4, :: in IPv6, RFC 4291 §2.5.2) means "no address": a host uses it only before it has an address, and it never appears as the source of an SMTP connection. In a binding it means "every local interface", which is why it is often written in a client list by mistake for "any address". Products disagree on what it means there, so the entry is at best dead and at worst read as a wildcard.',
  },
  *check({ file, doc, view }) {
    for (const { listener, list, entry } of everyEntry(view)) {
      const parsed = entry.address?.parsed;
      if (parsed?.kind !== 'ok' || !parsed.unspecified) continue;
      const deny = isDenyList(list);
      // Emptying a deny list would turn "all except nobody" into the bare allExcept that RLY002
      // reports: the same addresses, but a worse-looking file. Offer removal only otherwise.
      const emptiesDenyList = deny && list.entries.length === 1;
      yield {
        messageId: deny ? 'deny' : 'allow',
        path: entry.path,
        data: { entry: shown(entry), list: listLabel(list), listener: listener.name },
        fixes: emptiesDenyList
          ? []
          : removeEntryFix(file, doc, list, entry, { safe: false, preferred: true }),
      };
    }
  },
});
