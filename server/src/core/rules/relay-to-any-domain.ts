import { removeItem } from '../fix/edits.js';
import type { Fix } from '../model.js';
import type { AcceptedDomainView, ServerView } from '../relay/view.js';
import { defineRule } from '../rule.js';
import { child } from '../tree.js';
import type { ConfigDocument, ParsedFile } from '../model.js';

export const RELAY_TYPES: ReadonlySet<string> = new Set(['internalRelay', 'externalRelay']);

/** The fix that removes an accepted domain from its server's list. */
export function removeDomainFix(
  file: ParsedFile,
  doc: ConfigDocument,
  server: ServerView,
  domain: AcceptedDomainView,
): Fix[] {
  const list = child(server.node, 'acceptedDomains');
  const index = domain.path[domain.path.length - 1];
  if (list?.kind !== 'array' || typeof index !== 'number') return [];
  return [
    {
      title: `Remove the accepted domain "${domain.domain ?? ''}"`,
      safe: false,
      preferred: false,
      edits: removeItem(file, doc.root, list, index),
    },
  ];
}

export default defineRule({
  meta: {
    id: 'RLY050',
    name: 'relay-to-any-domain',
    title: 'An accepted domain "*" relays mail for every domain',
    category: 'security',
    severity: 'critical',
    fixable: 'unsafe',
    messages: {
      any: 'Accepted domain "*" of type {type} on server "{server}" accepts mail for every domain on earth and relays it onward: the server relays for any recipient, an open relay by domain. Remove it and list the domains this server relays for.',
    },
    rationale:
      'An accepted domain of "*" with a relay type tells the server that every recipient domain is one it relays for. Recipient checks then pass for any address, so anyone who may submit mail can relay it anywhere. The Exchange Best Practices Analyzer flags the "*" accepted domain for this reason.',
  },
  *check({ file, doc, view }) {
    for (const server of view.servers) {
      for (const d of server.acceptedDomains) {
        if (d.domainNode === undefined || d.domain?.trim() !== '*') continue;
        if (d.type === undefined || !RELAY_TYPES.has(d.type)) continue;
        yield {
          messageId: 'any',
          path: d.domainNode.path,
          data: { type: d.type, server: server.name },
          fixes: removeDomainFix(file, doc, server, d),
        };
      }
    }
  },
});
