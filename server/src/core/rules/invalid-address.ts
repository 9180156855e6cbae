import { setScalar } from '../fix/edits.js';
import type { Fix } from '../model.js';
import { listLabel, shown } from '../relay/entries.js';
import { everyEntry, isDenyList, passesAddressPattern } from '../relay/list-entries.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY020',
    name: 'invalid-address',
    title: 'A list entry is not a valid address, CIDR, address/mask or range',
    category: 'correctness',
    severity: 'high',
    fixable: 'unsafe',
    messages: {
      allow:
        '"{entry}" in the {list} of "{listener}" is not a valid address, CIDR, address/mask or range: {why}. The server refuses the configuration or ignores the entry, so the list does not grant what it says; correct the entry.',
      deny: '"{entry}" in the {list} of "{listener}" is not a valid address, CIDR, address/mask or range: {why}. The server refuses the configuration or ignores the entry, and an ignored exclusion lets those addresses in; correct the entry.',
      reversedAllow:
        '"{entry}" in the {list} of "{listener}" is a reversed range: its start is after its end, so it matches no address (or the server refuses it). Write {swapped} if that range is meant.',
      reversedDeny:
        '"{entry}" in the {list} of "{listener}" is a reversed range: its start is after its end, so it excludes no address (or the server refuses it). Write {swapped} if that range is meant.',
    },
    rationale:
      'An entry that is not an address makes the server either refuse the whole configuration or skip the entry, and which one happens differs by product and version. A skipped allow entry locks a legitimate sender out; a skipped deny entry silently lets the addresses it was meant to exclude relay. Typical typos are an octet above 255, a prefix longer than /32 or /128, a range written backwards, or a range whose ends are of different families.',
  },
  *check({ file, view }) {
    for (const { listener, list, entry } of everyEntry(view)) {
      const address = entry.address;
      if (address?.parsed.kind !== 'invalid') continue;
      // Strings outside the schema's character set are RLY000's (one typo, one finding).
      if (!passesAddressPattern(address.text)) continue;
      const { why, swapped } = address.parsed;
      const deny = isDenyList(list);
      const fixes: Fix[] =
        swapped !== undefined
          ? [
              {
                title: `Swap the bounds: ${swapped}`,
                safe: false,
                preferred: true,
                edits: setScalar(file, address.node, swapped),
              },
            ]
          : [];
      yield {
        messageId:
          swapped !== undefined
            ? deny
              ? 'reversedDeny'
              : 'reversedAllow'
            : deny
              ? 'deny'
              : 'allow',
        path: entry.path,
        data: {
          entry: shown(entry),
          list: listLabel(list),
          listener: listener.name,
          why,
          swapped: swapped ?? '',
        },
        fixes,
      };
    }
  },
});
