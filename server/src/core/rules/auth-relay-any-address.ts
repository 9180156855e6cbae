import { setScalar } from '../fix/edits.js';
import type { Fix } from '../model.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY031',
    name: 'auth-relay-any-address',
    title: 'Authenticated sessions may relay from any address',
    category: 'security',
    severity: 'info',
    fixable: 'unsafe',
    messages: {
      enabled:
        'Listener "{listener}" lets every authenticated session relay, from any address and whatever the relay list says: one guessed or stolen password turns the server into a spam relay. Keep it only if roaming clients must relay through this listener; otherwise set allowAuthenticated: false.',
    },
    rationale:
      '"Allow all computers which successfully authenticate to relay, regardless of the list above" makes every account a relay permit that works from anywhere. Password-guessing against SMTP AUTH is routine, and a compromised mailbox password then sends spam under the organisation\'s name; O\'Reilly\'s Exchange Server Cookbook warns that it "can provide an avenue for stealth relay and password-discovery attacks".',
  },
  *check({ file, view }) {
    for (const l of view.listeners) {
      const flag = l.allowAuthenticated;
      if (flag?.value !== true) continue;
      // While Basic runs without TLS (RLY030), turning authenticated relay off would leave the
      // cleartext passwords reported by RLY032: RLY030's fix (requireTls: true) comes first.
      const cleartext = l.basic?.value === true && l.requireTls?.value !== true;
      const fixes: Fix[] = cleartext
        ? []
        : [
            {
              title: 'Stop relaying for authenticated sessions (allowAuthenticated: false)',
              safe: false,
              preferred: false,
              edits: setScalar(file, flag, false),
            },
          ];
      yield { messageId: 'enabled', path: flag.path, data: { listener: l.name }, fixes };
    }
  },
});
