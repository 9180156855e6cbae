import { upsertKey } from '../fix/edits.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY032',
    name: 'cleartext-auth',
    title: 'Basic authentication without TLS',
    category: 'security',
    severity: 'medium',
    fixable: 'unsafe',
    messages: {
      cleartext:
        'Basic authentication on listener "{listener}" accepts user names and passwords in clear text, because requireTls is off: anyone on the network path can read them and use the accounts. Set requireTls: true.',
    },
    rationale:
      'Basic authentication sends the user name and password base64-encoded, which is clear text. Without TLS every client that authenticates hands its credentials to anyone who can watch the connection. RFC 8314 recommends TLS for all mail submission and access; the IIS authentication dialog recommends requiring TLS with Basic authentication.',
  },
  *check({ file, view }) {
    for (const l of view.listeners) {
      if (l.basic?.value !== true || l.requireTls?.value === true) continue;
      // With authenticated relay the same setting is RLY030's, at a higher severity.
      if (l.allowAuthenticated?.value === true) continue;
      yield {
        messageId: 'cleartext',
        path: l.basic.path,
        data: { listener: l.name },
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
