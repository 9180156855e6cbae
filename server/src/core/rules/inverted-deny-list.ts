import { setScalar } from '../fix/edits.js';
import { lowerSeverity, type Severity } from '../model.js';
import { BUILTIN_TRUSTED } from '../net/scope.js';
import { connSet, type TrustModel, untrusted } from '../relay/analysis.js';
import { shown } from '../relay/entries.js';
import type { ListenerView, ListView } from '../relay/view.js';
import { defineRule } from '../rule.js';

/**
 * RLY005's trigger: an allExcept relay list with at least one entry, every one of them an
 * address entry wholly inside loopback, private, ULA or link-local space. A domain entry or an
 * entry that does not parse makes it RLY003's instead.
 */
export function isInvertedDenyList(list: ListView | undefined): boolean {
  if (list?.mode !== 'allExcept' || list.entries.length === 0) return false;
  return list.entries.every((e) => {
    const p = e.address?.parsed;
    return p !== undefined && p.kind !== 'invalid' && BUILTIN_TRUSTED.containsSet(p.set);
  });
}

/** Whether only trusted addresses may connect to the listener (conn(L) ⊆ trusted). */
export function connectionOnlyTrusted(l: ListenerView, trust: TrustModel): boolean {
  return untrusted(connSet(l), trust).isEmpty();
}

/** SPEC §3: a default, one step lower when only trusted addresses connect, one more when internal. */
export function denyListSeverity(base: Severity, l: ListenerView, trust: TrustModel): Severity {
  return lowerSeverity(
    base,
    (connectionOnlyTrusted(l, trust) ? 1 : 0) + (l.exposure === 'internal' ? 1 : 0),
  );
}

/** `"10.0.0.5", "192.168.1.0/24" and 3 more` */
export function entryList(list: ListView, max = 3): string {
  const names = list.entries.slice(0, max).map((e) => `"${shown(e)}"`);
  const rest = list.entries.length - names.length;
  return rest > 0 ? `${names.join(', ')} and ${rest} more` : names.join(', ');
}

export default defineRule({
  meta: {
    id: 'RLY005',
    name: 'inverted-deny-list',
    title: 'Relay mode "All except the list below" that bars only internal hosts',
    category: 'security',
    severity: 'critical',
    fixable: 'unsafe',
    messages: {
      anonymous:
        'Relay mode allExcept on listener "{listener}" denies relay only to internal hosts ({entries}) and grants it, without authentication, to every other address, the whole internet included. The list reads like an allow list with the wrong mode: use mode: onlyList to let just these hosts relay.',
      authenticated:
        'Relay mode allExcept on listener "{listener}" denies relay only to internal hosts ({entries}) and grants it to authenticated sessions from every other address, the whole internet included. The list reads like an allow list with the wrong mode: use mode: onlyList to let just these hosts relay.',
    },
    rationale:
      'An "All except the list below" relay list that names only internal hosts bars the machines that were meant to relay and lets everyone else, the internet included, relay through the server. It is almost always an allow list saved with the wrong mode, and it makes the server an open relay (RFC 2505 §2.1, RFC 5321 §7.9).',
  },
  *check({ file, view, trust }) {
    for (const l of view.listeners) {
      const relay = l.relay;
      if (relay?.modeNode === undefined || !isInvertedDenyList(relay)) continue;
      yield {
        messageId: l.anonymous?.value === true ? 'anonymous' : 'authenticated',
        path: relay.modeNode.path,
        severity: denyListSeverity('critical', l, trust),
        data: { listener: l.name, entries: entryList(relay) },
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
