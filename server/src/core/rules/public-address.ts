import { breadthEntries } from '../relay/breadth.js';

import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY012',
    name: 'public-address',
    title: 'The relay list grants relay to one public address',
    category: 'security',
    severity: 'info',
    messages: {
      global:
        '{entry} in the relay list of "{listener}" is a public address, so whoever holds it is trusted to relay. Keep it only if it is your own server; a partner or cloud host should authenticate (submission on port 587) instead.',
      cgnat:
        '{entry} in the relay list of "{listener}" is a carrier-grade NAT (RFC 6598) address, which a provider shares between many subscribers: every one of them is trusted to relay from it. Have this sender authenticate (submission on port 587) instead.',
    },
    rationale:
      'Relay by address is only as trustworthy as the address. A public address outside your network belongs to someone else: a partner whose host may be compromised, or a cloud address that is released and handed to a stranger. A carrier-grade NAT address is shared by many subscribers at once. RFC 2505 §3.1 recommends SMTP authentication (today, authenticated submission on port 587, RFC 6409) for senders outside your own networks.',
  },
  *check({ view, thresholds }) {
    for (const { listener, list, entry, label, verdict: v } of breadthEntries(view, thresholds)) {
      if (list.kind !== 'relay') continue;
      if (v?.id !== 'RLY012') continue;
      yield {
        messageId: v.part.scope === 'cgnat' ? 'cgnat' : 'global',
        path: entry.path,
        severity: v.severity,
        data: { entry: label, listener: listener.name },
      };
    }
  },
});
