import { parse } from 'tldts';
import { defineRule } from '../rule.js';
import { removeDomainFix } from './relay-to-any-domain.js';

/** Whether `name` is itself a public suffix of the ICANN section of the Public Suffix List. */
export function isPublicSuffix(name: string): boolean {
  const r = parse(name, { allowPrivateDomains: false });
  return (
    r.isIcann === true &&
    !r.isIp &&
    r.hostname !== null &&
    r.publicSuffix !== null &&
    r.publicSuffix === r.hostname
  );
}

/** The public suffix an accepted domain covers: `co.uk` for `co.uk` and for `*.co.uk`. */
export function coveredSuffix(domain: string): string | undefined {
  const d = domain.trim();
  if (d === '*' || d === '') return undefined;
  const base = d.startsWith('*.') ? d.slice(2) : d;
  return isPublicSuffix(base) ? base.toLowerCase().replace(/\.$/, '') : undefined;
}

const CONSEQUENCE: Readonly<Record<string, string>> = {
  authoritative: 'deliver it as if those domains were its own',
  internalRelay: 'relay it onward',
  externalRelay: 'relay it onward',
};

export default defineRule({
  meta: {
    id: 'RLY051',
    name: 'public-suffix-domain',
    title: 'An accepted domain is a public suffix or a wildcard over one',
    category: 'security',
    severity: 'critical',
    fixable: 'unsafe',
    messages: {
      suffix:
        'Accepted domain "{domain}" on server "{server}" is a public suffix: every organisation registers its domains under it, so the server would accept mail for all of them and {consequence}. Remove it and list the server\'s own domains.',
      wildcard:
        'Accepted domain "{domain}" on server "{server}" covers every domain under the public suffix "{suffix}", so the server would accept mail for all of them and {consequence}. Remove it and list the server\'s own domains.',
    },
    rationale:
      'A public suffix (com, co.uk, gov.au) is where unrelated organisations register their domains. Accepting mail for one, or for "*." over one, makes the server accept, and relay or swallow, mail for millions of domains it has nothing to do with. The ICANN section of the Public Suffix List decides what is a public suffix.',
  },
  *check({ file, doc, view }) {
    for (const server of view.servers) {
      for (const d of server.acceptedDomains) {
        if (d.domainNode === undefined || d.domain === undefined) continue;
        const suffix = coveredSuffix(d.domain);
        if (suffix === undefined) continue;
        yield {
          messageId: d.domain.trim().startsWith('*.') ? 'wildcard' : 'suffix',
          path: d.domainNode.path,
          data: {
            domain: d.domain,
            server: server.name,
            suffix,
            consequence: CONSEQUENCE[d.type ?? ''] ?? 'take it in',
          },
          fixes: removeDomainFix(file, doc, server, d),
        };
      }
    }
  },
});
