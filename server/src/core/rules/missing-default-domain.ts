import { upsertKey } from '../fix/edits.js';
import type { Fix } from '../model.js';
import type { ServerView } from '../relay/view.js';
import { defineRule } from '../rule.js';

/** Products whose configuration has no default logon domain (SPEC §3, precise readings). */
const NO_SUCH_SETTING = new Set(['postfix', 'exim', 'sendmail']);

/** The server's one authoritative domain, when it has exactly one and it is a plain name. */
function soleAuthoritative(server: ServerView): string | undefined {
  const names = server.acceptedDomains
    .filter((d) => d.type === 'authoritative' && d.domain !== undefined)
    .map((d) => (d.domain ?? '').trim());
  const [only] = names;
  if (names.length !== 1 || only === undefined || only === '' || only.startsWith('*'))
    return undefined;
  return only.replace(/\.$/, '');
}

export default defineRule({
  meta: {
    id: 'RLY033',
    name: 'missing-default-domain',
    title: 'Basic authentication without a default domain',
    category: 'correctness',
    severity: 'low',
    fixable: 'unsafe',
    messages: {
      missing:
        'Basic authentication on listener "{listener}" is on, but server "{server}" sets no defaultDomain: a user name given without a domain is then looked up in the domain the computer belongs to (or on the computer itself), which may not hold the accounts you meant. Set defaultDomain on the server.',
    },
    rationale:
      'IIS SMTP appends the "Default domain" of the Basic authentication dialog to user names that have none. Left empty, IIS falls back to the domain the server controls, or the computer name, so the same user name can authenticate against different account databases depending on where the server runs.',
  },
  *check({ file, view }) {
    for (const server of view.servers) {
      if (NO_SUCH_SETTING.has(server.product)) continue;
      const dd = server.defaultDomain;
      if (dd !== undefined && typeof dd.value === 'string' && dd.value.trim() !== '') continue;
      const domain = soleAuthoritative(server);
      for (const l of server.listeners) {
        if (l.basic?.value !== true) continue;
        const fixes: Fix[] =
          domain === undefined
            ? []
            : [
                {
                  title: `Set the server's defaultDomain to ${domain}`,
                  safe: false,
                  preferred: false,
                  edits: upsertKey(file, server.node, 'defaultDomain', domain),
                },
              ];
        yield {
          messageId: 'missing',
          path: l.basic.path,
          data: { listener: l.name, server: server.name },
          fixes,
        };
      }
    }
  },
});
