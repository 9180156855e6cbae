import { setScalar } from '../fix/edits.js';
import { describeCount } from '../net/scope.js';
import { listLabel, shown } from '../relay/entries.js';
import { everyEntry, isDenyList } from '../relay/list-entries.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY014',
    name: 'host-bits-set',
    title: 'A CIDR or address/mask entry has host bits set',
    category: 'correctness',
    severity: 'low',
    fixable: 'safe',
    messages: {
      other:
        '"{entry}" in the {list} of "{listener}" has host bits set: it means the network {network} ({count} addresses), not the single host {host}. Write {network} if the network is meant, or {single} for the one host.',
      postfix:
        '"{entry}" in the {list} of "{listener}" has host bits set, which Postfix refuses: in mynetworks every relay check then fails with "451 4.3.0 Temporary lookup failure", and a cidr table skips the entry. Write the network {network} ({count} addresses) or the single host {single}.',
    },
    rationale:
      'A prefix length or mask says how many leading bits of the address count; the rest (the host bits) should be zero. "192.168.1.10/24" means the whole network 192.168.1.0/24 to most products, although it reads like one host, so the list grants more than it seems to. Postfix is stricter: its CIDR parser rejects the pattern ("non-null host address bits"), and in mynetworks that makes every relay check fail with a temporary error.',
  },
  *check({ file, view }) {
    for (const { listener, list, entry } of everyEntry(view)) {
      const parsed = entry.address?.parsed;
      const node = entry.address?.node;
      if (parsed?.kind !== 'ok' || parsed.hostBits === undefined || node === undefined) continue;
      const postfix = listener.server.product === 'postfix';
      const { network, host } = parsed.hostBits;
      // The network form keeps the set everywhere but Postfix, where it turns a pattern that
      // fails closed into one that grants. The single host grants less in an allow list only.
      const hostPreferred = postfix && !isDenyList(list);
      const singleAddress = host.replace(/\/[^/]*$/, '');
      yield {
        messageId: postfix ? 'postfix' : 'other',
        path: entry.path,
        data: {
          entry: shown(entry),
          list: listLabel(list),
          listener: listener.name,
          network,
          host: singleAddress,
          single: host,
          count: describeCount(parsed.count),
        },
        fixes: [
          {
            title: `Use the network ${network}`,
            safe: !postfix,
            preferred: !hostPreferred,
            edits: setScalar(file, node, network),
          },
          {
            title: `Use the single host ${host}`,
            safe: false,
            preferred: hostPreferred,
            edits: setScalar(file, node, host),
          },
        ],
      };
    }
  },
});
