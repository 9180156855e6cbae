import { everyEntry, isDenyList } from '../relay/list-entries.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY013',
    name: 'domain-entry',
    title: 'A list entry trusts a domain name, matched by reverse DNS',
    category: 'security',
    severity: 'medium',
    messages: {
      relay:
        'The domain entry "{domain}" in the relay list of "{listener}" lets any client whose reverse DNS (PTR) name matches it relay, and the owner of the connecting address writes that record. List the host\'s IP address instead.',
      connection:
        'The domain entry "{domain}" in the connection list of "{listener}" admits any client whose reverse DNS (PTR) name matches it, and the owner of the connecting address writes that record. List the host\'s IP address instead.',
      deny: 'The domain entry "{domain}" in the {kind} list of "{listener}" excludes a client only while its reverse DNS (PTR) name matches, and the client\'s owner controls that record: changing it gets the client back in. Exclude the addresses instead.',
    },
    rationale:
      'A domain-name entry (the IIS "Domain" choice) is matched by a reverse DNS lookup of the connecting address on every connection. The PTR record of an address is published by whoever controls the address, so an attacker can make it say anything; RFC 2505 §1.4 warns that such data is "fairly easy to forge" and must be verified address→name→address. Address entries do not depend on DNS.',
  },
  *check({ view }) {
    for (const { listener, list, entry } of everyEntry(view)) {
      if (entry.domain === undefined) continue;
      const deny = isDenyList(list);
      yield {
        messageId: deny ? 'deny' : list.kind,
        path: entry.path,
        severity: list.kind === 'relay' ? 'medium' : 'low',
        data: { domain: entry.domain.name, listener: listener.name, kind: list.kind },
      };
    }
  },
});
