import type { Span } from '../../../model.js';
import { defineRule } from '../../../rule.js';
import { postfixDataOf } from '../file-data.js';
import { effectiveParam } from '../instance.js';
import type { PfItem, PfListener, PostfixInstance } from '../model.js';
import { accessAction, openTable } from '../tables.js';
import { groupBy, serviceNames } from '../rule-helpers.js';

/** Guards: an item after one of these is not reached for an unauthorized destination. */
const GUARDS = new Set([
  'reject_unauth_destination',
  'defer_unauth_destination',
  'reject',
  'defer',
  'defer_if_permit',
  'check_relay_domains',
]);

/** Access checks on what the client writes (`check_sender_access`, `check_helo_mx_access` …). */
const SPOOFABLE = /^check_(sender|helo|recipient)(_a|_mx|_ns)?_access$/;

const WHAT: Readonly<Record<string, string>> = {
  sender: 'the envelope sender (MAIL FROM)',
  helo: 'the HELO name',
  recipient: 'the recipient address',
};

/** Whether a table can answer OK: yes, no, or unknown (it cannot be read). */
function canPermit(instance: PostfixInstance, spec: string): 'yes' | 'no' | 'maybe' {
  const t = openTable(instance, spec);
  switch (t.kind) {
    case 'map':
      return [...t.entries.values()].some((v) => accessAction(v).kind === 'ok') ? 'yes' : 'no';
    case 'static':
      return accessAction(t.value).kind === 'ok' ? 'yes' : 'no';
    case 'unknown':
      return 'maybe';
    case 'cidr':
    case 'broken':
    case 'fatal':
      // A cidr table matches addresses, never names; a broken table fails every lookup.
      return 'no';
  }
}

interface Hit {
  readonly l: PfListener;
  readonly check: PfItem;
  readonly table: PfItem;
  readonly verdict: 'yes' | 'maybe';
}

/** The spoofable checks a list reaches before its guard. */
function spoofableChecks(
  instance: PostfixInstance,
  l: PfListener,
  items: readonly PfItem[],
): Hit[] {
  const out: Hit[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined) continue;
    const name = item.text.toLowerCase();
    if (GUARDS.has(name) || name === 'permit') break;
    const table = items[i + 1];
    if (!SPOOFABLE.test(name) || table === undefined) continue;
    i++;
    const verdict = canPermit(instance, table.text);
    if (verdict !== 'no') out.push({ l, check: item, table, verdict });
  }
  return out;
}

function hasGuard(items: readonly PfItem[]): boolean {
  return items.some((i) => GUARDS.has(i.text.toLowerCase()));
}

export default defineRule({
  meta: {
    id: 'RLY063',
    name: 'spoofable-relay-permit',
    title: 'An access check on something the client chooses can permit relaying',
    category: 'security',
    severity: 'critical',
    messages: {
      yes: '"{check} {table}" answers OK before the relay guard of {services}, and it looks up {what}, which the client writes: anyone who writes a listed value relays mail anywhere. Decide relaying on the client address or on authentication instead.',
      maybe:
        '"{check} {table}" is consulted before the relay guard of {services} and looks up {what}, which the client writes; its table cannot be read, so it may answer OK and let anyone who writes a listed value relay. Decide relaying on the client address or on authentication instead.',
    },
    rationale:
      'The envelope sender, the HELO name and the recipient are whatever the SMTP client sends. An access table that answers OK for one of them before reject_unauth_destination lets every client on the internet relay by sending that value; Postfix 3.7 relayed for 203.0.113.7 with a forged MAIL FROM this way.',
  },
  *check({ file }) {
    const data = postfixDataOf(file);
    if (data === undefined) return;
    const hits: Hit[] = [];
    for (const l of data.instance.listeners) {
      const relay = effectiveParam(data.instance, l, 'smtpd_relay_restrictions').items;
      hits.push(...spoofableChecks(data.instance, l, relay));
      // The recipient list decides relaying only when the relay list has no guard.
      if (!hasGuard(relay)) {
        const rcpt = effectiveParam(data.instance, l, 'smtpd_recipient_restrictions').items;
        hits.push(...spoofableChecks(data.instance, l, rcpt));
      }
    }
    const here = hits.filter((h) => h.check.file === data.kind && h.check.isDefault !== true);
    for (const group of groupBy(here, (h) => `${h.check.span.start}`)) {
      const first = group[0];
      if (first === undefined) continue;
      const kind =
        /^check_(sender|helo|recipient)/.exec(first.check.text.toLowerCase())?.[1] ?? 'sender';
      const span: Span =
        first.table.file === first.check.file && first.table.span.start >= first.check.span.end
          ? { start: first.check.span.start, end: first.table.span.end }
          : first.check.span;
      const listeners = group.map((h) => h.l);
      yield {
        messageId: first.verdict,
        path: [],
        span,
        data: {
          check: first.check.text,
          table: first.table.text,
          what: WHAT[kind] ?? 'a value the client sends',
          services: `service${listeners.length > 1 ? 's' : ''} ${serviceNames(listeners)}`,
        },
      };
    }
  },
});
