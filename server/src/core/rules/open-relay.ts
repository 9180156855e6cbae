import type { JsonPath } from '../model.js';
import type { IntervalSet } from '../net/interval-set.js';
import {
  connSet,
  isLoopbackBinding,
  unauthenticatedRelaySet,
  untrusted,
} from '../relay/analysis.js';
import { describeAddresses } from '../relay/describe.js';
import type { ListenerView } from '../relay/view.js';
import { defineRule, type RelatedReport } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY001',
    name: 'open-relay',
    title: 'Untrusted addresses can relay without authenticating',
    category: 'security',
    severity: 'critical',
    messages: {
      open: 'Listener "{listener}" of server "{server}" is an open relay: {count} outside the trusted networks can relay mail without authenticating. Close the relay list (mode: onlyList with the hosts that must relay) or turn anonymous access off.',
    },
    rationale:
      'An open relay forwards mail from anyone to anyone. Spammers find open relays within hours, and the server is then blocklisted, so legitimate mail from the whole organisation bounces (RFC 2505 §2; RFC 5321 §3.6 leaves relaying to local policy, so the policy must be right).',
  },
  *check({ view, trust }) {
    for (const l of view.listeners) {
      if (l.relay === undefined) continue;
      const open = untrusted(unauthenticatedRelaySet(l), trust);
      if (open.isEmpty()) continue;
      yield {
        messageId: 'open',
        path: l.relay.path,
        at: 'key',
        severity: l.exposure === 'internal' ? 'high' : 'critical',
        data: { listener: l.name, server: l.server.name, count: describeAddresses(open) },
        related: contributors(l, open),
      };
    }
  },
});

/** Every setting that lets the untrusted addresses in `open` relay. */
function contributors(l: ListenerView, open: IntervalSet): RelatedReport[] {
  const out: RelatedReport[] = [];
  const add = (
    path: JsonPath | undefined,
    message: string,
    at: 'key' | 'value' = 'value',
  ): void => {
    if (path !== undefined) out.push({ path, message, at });
  };
  add(l.anonymous?.path, 'anonymous: true lets sessions relay without credentials');
  const relay = l.relay;
  if (relay?.mode === 'allExcept') {
    add(
      relay.modeNode?.path,
      relay.entries.length === 0
        ? 'allExcept with an empty list grants relay to every address'
        : 'allExcept grants relay to every address not listed',
    );
  } else if (relay !== undefined) {
    for (const e of relay.entries) {
      const p = e.address?.parsed;
      if (p !== undefined && p.kind !== 'invalid' && p.set.overlaps(open)) {
        add(
          e.path,
          `${e.address?.text ?? ''} grants relay to ${describeAddresses(p.set.intersect(open), 'untrusted')}`,
        );
      }
    }
  }
  if (l.connection === undefined)
    add(l.path.concat('name'), 'no connection control: every address may connect');
  else if (connSet(l).overlaps(open))
    add(
      l.connection.modeNode?.path ?? l.connection.path,
      'connection control admits the untrusted addresses',
    );
  if (l.bindingsNode !== undefined && !l.bindings.every(isLoopbackBinding))
    add(l.bindingsNode.path, 'bound to a non-loopback address');
  if (l.exposure === 'internet') add(l.exposureNode?.path, 'exposure: internet');
  return out;
}
