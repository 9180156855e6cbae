import { setScalar, upsertKey } from '../fix/edits.js';
import type { Fix, ParsedFile } from '../model.js';
import type { ListenerView } from '../relay/view.js';
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
        fixes: [disableAnonymous(file, l, inbound)],
      };
    }
  },
});

/**
 * `anonymous: false`. When no other method is on, that alone would leave a listener that accepts
 * no mail at all (RLY034), so the fix also turns on Integrated Windows authentication, the IIS
 * and Exchange method for domain clients. An inbound MX needs anonymous access, so there the
 * fix is offered but not preferred.
 */
function disableAnonymous(file: ParsedFile, l: ListenerView, inbound: boolean): Fix {
  const anonymous = l.anonymous;
  if (anonymous === undefined) return { title: '', safe: false, preferred: false, edits: [] };
  const otherMethod = l.basic?.value === true || l.integratedWindows?.value === true;
  if (otherMethod) {
    return {
      title: 'Disable anonymous authentication (anonymous: false)',
      safe: false,
      preferred: !inbound,
      edits: setScalar(file, anonymous, false),
    };
  }
  return {
    title: 'Require Integrated Windows authentication instead of anonymous access',
    safe: false,
    preferred: !inbound,
    edits: [
      ...setScalar(file, anonymous, false),
      ...upsertKey(file, l.authNode, 'integratedWindows', true),
    ],
  };
}
