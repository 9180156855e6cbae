import { describeCount } from '../net/scope.js';
import { breadthEntries, type Embedding } from '../relay/breadth.js';
import { listLabel } from '../relay/entries.js';
import { defineRule } from '../rule.js';

function embeddedHosts(e: Embedding): string {
  if (e.embedded >= 1n << 32n) return 'every IPv4 address';
  if (e.embedded === 1n) return `the IPv4 address ${e.firstV4}`;
  return `the ${describeCount(e.embedded)} IPv4 addresses ${e.firstV4}-${e.lastV4}`;
}

export default defineRule({
  meta: {
    id: 'RLY024',
    name: 'ipv4-embedding',
    title: 'An IPv6 entry lies in space that embeds IPv4 addresses',
    category: 'security',
    severity: 'high',
    messages: {
      NAT64:
        '{entry} in the {list} of "{listener}" is NAT64 (RFC 6052) space: it stands for {hosts} as seen through a NAT64 translator, and {who} {verb}. List the IPv4 addresses themselves, or remove the entry.',
      '6to4':
        '{entry} in the {list} of "{listener}" is 6to4 (RFC 3056) space: it stands for the sites behind {hosts}, tunnelled over the IPv4 internet, and any of them {verb}. List the addresses the hosts really use, or remove the entry.',
      Teredo:
        '{entry} in the {list} of "{listener}" is Teredo (RFC 4380) space: any host behind a NAT can obtain such an address from a public Teredo server, and {count} of them {verb}. List the hosts\' real addresses, or remove the entry.',
      TeredoOne:
        '{entry} in the {list} of "{listener}" is a Teredo (RFC 4380) address: it belongs to a tunnelled client and changes with that client\'s NAT mapping, and whoever holds it {verb}. List the host\'s real address instead.',
      'IPv4-compatible':
        '{entry} in the {list} of "{listener}" is deprecated IPv4-compatible (RFC 4291) space: it stands for {hosts}, and {who} {verb}. List the IPv4 addresses themselves, or remove the entry.',
    },
    rationale:
      'Several IPv6 prefixes carry an IPv4 address inside them: NAT64 64:ff9b::/96 (RFC 6052), 6to4 2002::/16 (RFC 3056), Teredo 2001::/32 (RFC 4380) and the deprecated IPv4-compatible ::/96 (RFC 4291). An entry there looks like a small IPv6 network but grants IPv4 hosts, often every one of them: 64:ff9b::/96 and 2002::/16 embed the whole IPv4 internet, and anyone can obtain a Teredo address. Relay Lint judges such an entry by the IPv4 range it embeds, as public space.',
  },
  *check({ view, thresholds }) {
    for (const { listener, list, entry, parsed, label, verdict: v } of breadthEntries(
      view,
      thresholds,
    )) {
      if (v?.id !== 'RLY024') continue;
      const e = v.embedding;
      yield {
        messageId: e.space === 'Teredo' && parsed.count === 1n ? 'TeredoOne' : e.space,
        path: entry.path,
        severity: v.severity,
        data: {
          entry: label,
          list: listLabel(list),
          listener: listener.name,
          hosts: embeddedHosts(e),
          count: describeCount(parsed.count),
          verb: list.kind === 'relay' ? 'may relay' : 'may connect',
          who: e.embedded === 1n ? 'that host' : 'any of them',
        },
      };
    }
  },
});
