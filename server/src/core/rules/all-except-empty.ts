import { setScalar } from '../fix/edits.js';
import { lowerSeverity, type Severity } from '../model.js';
import { unauthenticatedRelaySet, untrusted } from '../relay/analysis.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY002',
    name: 'all-except-empty',
    title: 'Relay mode "All except the list below" with an empty list',
    category: 'security',
    severity: 'critical',
    fixable: 'unsafe',
    messages: {
      open: 'Relay mode allExcept with an empty list lets every address relay, and listener "{listener}" accepts anonymous sessions: this is an open relay. Use mode: onlyList and list the hosts that must relay.',
      contained:
        'Relay mode allExcept with an empty list lets every address relay anonymously on listener "{listener}"; only {guard} keeps the internet out. Use mode: onlyList and list the hosts that must relay.',
      authenticated:
        'Relay mode allExcept with an empty list lets every authenticated session on listener "{listener}" relay from any address, whatever the relay list was meant to restrict. Use mode: onlyList.',
    },
    rationale:
      'In the IIS SMTP Relay Restrictions dialog, "All except the list below" with nothing listed grants relay to every computer. With anonymous access that is an open relay, the configuration that gets mail servers blocklisted.',
  },
  *check({ file, view, trust }) {
    for (const l of view.listeners) {
      const relay = l.relay;
      if (relay?.mode !== 'allExcept' || relay.modeNode === undefined || relay.entries.length > 0)
        continue;
      let severity: Severity;
      let messageId: 'open' | 'contained' | 'authenticated';
      if (l.anonymous?.value !== true) {
        severity = 'medium';
        messageId = 'authenticated';
      } else if (!untrusted(unauthenticatedRelaySet(l), trust).isEmpty()) {
        severity = lowerSeverity('critical', l.exposure === 'internal' ? 1 : 0);
        messageId = 'open';
      } else {
        severity = 'high';
        messageId = 'contained';
      }
      const guard = !l.enabled
        ? 'the listener being disabled'
        : l.connection !== undefined
          ? 'the connection list'
          : 'its loopback bindings';
      yield {
        messageId,
        path: relay.modeNode.path,
        severity,
        data: { listener: l.name, guard },
        fixes: [
          {
            title: 'Relay only for the hosts listed (mode: onlyList)',
            safe: false,
            preferred: true,
            edits: setScalar(file, relay.modeNode, 'onlyList'),
          },
        ],
      };
    }
  },
});
