import { upsertKey } from '../fix/edits.js';
import { defineRule, type RelatedReport } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY030',
    name: 'auth-relay-cleartext',
    title: 'Authenticated relay with Basic authentication over cleartext',
    category: 'security',
    severity: 'high',
    fixable: 'unsafe',
    messages: {
      cleartext:
        'Listener "{listener}" lets authenticated sessions relay, and Basic authentication there does not require TLS: a password read off the wire lets whoever captured it relay mail from anywhere. Set requireTls: true.',
    },
    rationale:
      'With authenticated relay on, a password is a relay permit that works from any address. Basic authentication without TLS sends that password in clear text (base64) on every connection, so anyone on the path can capture it and relay spam through the server. RFC 8314 asks for TLS on all mail submission; the IIS authentication dialog itself recommends requiring TLS with Basic authentication.',
  },
  *check({ file, view }) {
    for (const l of view.listeners) {
      if (l.allowAuthenticated?.value !== true || l.basic?.value !== true) continue;
      if (l.requireTls?.value === true) continue;
      const related: RelatedReport[] = [
        { path: l.basic.path, message: 'basic: true accepts passwords in clear text' },
      ];
      if (l.requireTls !== undefined)
        related.push({ path: l.requireTls.path, message: 'requireTls: false' });
      yield {
        messageId: 'cleartext',
        path: l.allowAuthenticated.path,
        severity: l.exposure === 'internal' ? 'medium' : 'high',
        data: { listener: l.name },
        related,
        fixes: [
          {
            title: 'Require TLS before Basic authentication (requireTls: true)',
            safe: false,
            preferred: true,
            edits: upsertKey(file, l.authNode, 'requireTls', true),
          },
        ],
      };
    }
  },
});
