import { setScalar } from '../fix/edits.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY004',
    name: 'anonymous-auth',
    title: 'Anonymous authentication is enabled',
    category: 'security',
    severity: 'medium',
    fixable: 'unsafe',
    messages: {
      enabled:
        'Listener "{listener}" accepts anonymous sessions, so its relay list is the only control on who may relay; set anonymous: false unless it must take mail from unauthenticated hosts.',
      inbound:
        'Listener "{listener}" accepts anonymous sessions, as an inbound MX must to receive internet mail; keep its relay list closed.',
    },
    rationale:
      'With anonymous access on, the relay list is the only control on who may relay. Microsoft recommends disabling anonymous access on every SMTP virtual server that does not receive internet mail.',
  },
  *check({ file, view }) {
    for (const l of view.listeners) {
      if (l.anonymous?.value !== true) continue;
      const inbound = l.role === 'inbound';
      yield {
        messageId: inbound ? 'inbound' : 'enabled',
        path: l.anonymous.path,
        ...(inbound ? { severity: 'info' as const } : {}),
        data: { listener: l.name },
        fixes: [
          {
            title: 'Disable anonymous authentication (anonymous: false)',
            safe: false,
            preferred: true,
            edits: setScalar(file, l.anonymous, false),
          },
        ],
      };
    }
  },
});
