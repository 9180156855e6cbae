import { setScalar } from '../fix/edits.js';
import { listLabel, shown } from '../relay/entries.js';
import { everyEntry } from '../relay/list-entries.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY022',
    name: 'zone-id',
    title: 'An IPv6 entry carries a zone id',
    category: 'correctness',
    severity: 'low',
    fixable: 'safe',
    messages: {
      zone: '"{entry}" in the {list} of "{listener}" carries the zone id "%{zone}", which names a network interface of one machine (a local name or index that can change); a client\'s address never carries one, and Postfix cannot read it. Write {without}.',
    },
    rationale:
      'A zone id (the "%11" in fe80::1%11, RFC 4007) tells one host which of its interfaces a link-local address is on. It is local to that host and can change when interfaces are added, so it does not belong in a list of client addresses: a client\'s source address never carries one. Postfix cannot use one (its client addresses never carry a zone), although Exchange\'s own documentation shows one in a RemoteIPRanges example. The address without its zone denotes the same addresses.',
  },
  *check({ file, view }) {
    for (const { listener, list, entry } of everyEntry(view)) {
      const address = entry.address;
      const parsed = address?.parsed;
      if (address === undefined || parsed?.kind !== 'ok' || parsed.zoneId === undefined) continue;
      const without = parsed.withoutZone ?? parsed.canonical;
      yield {
        messageId: 'zone',
        path: entry.path,
        data: {
          entry: shown(entry),
          list: listLabel(list),
          listener: listener.name,
          zone: parsed.zoneId,
          without,
        },
        fixes: [
          {
            title: `Drop the zone id: ${without}`,
            safe: true,
            preferred: true,
            edits: setScalar(file, address.node, without),
          },
        ],
      };
    }
  },
});
