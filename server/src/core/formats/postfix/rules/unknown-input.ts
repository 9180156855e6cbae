import type { Span } from '../../../model.js';
import { untrusted } from '../../../relay/analysis.js';
import { describeAddresses } from '../../../relay/describe.js';
import { defineRule } from '../../../rule.js';
import { type PostfixFileData, postfixDataOf } from '../file-data.js';
import { effectiveParam } from '../instance.js';
import type { PfItem, PfListener } from '../model.js';
import { groupBy, serviceNames } from '../rule-helpers.js';

/** Parameters whose items decide relaying, where an unreadable input is looked for. */
const INPUTS = [
  'mynetworks',
  'relay_domains',
  'smtpd_relay_restrictions',
  'smtpd_recipient_restrictions',
  'smtpd_client_restrictions',
  'smtpd_helo_restrictions',
  'smtpd_sender_restrictions',
  'mydestination',
  'inet_interfaces',
];

/** The item a reason names (a table spec, a template expression …), if any. */
function itemFor(data: PostfixFileData, l: PfListener, reason: string): PfItem | undefined {
  let best: PfItem | undefined;
  for (const name of INPUTS) {
    const p = effectiveParam(data.instance, l, name);
    for (const item of p.items) {
      if (item.text === '' || !reason.includes(item.text)) continue;
      if (best === undefined || item.text.length > best.text.length) best = item;
    }
  }
  if (best !== undefined) return best;
  // A reason that names a parameter whose value is not known (a template expression).
  for (const name of INPUTS) {
    if (!reason.includes(name)) continue;
    const item = effectiveParam(data.instance, l, name).items.find((i) => i.unknown !== undefined);
    if (item !== undefined) return item;
  }
  return undefined;
}

/** Where the finding goes in this file (undefined: the other file reports it). */
function placeOf(data: PostfixFileData, item: PfItem | undefined): Span | undefined {
  if (item === undefined || item.isDefault === true)
    return data.kind === 'main.cf' ? data.defaultSpan : undefined;
  return item.file === data.kind ? item.span : undefined;
}

export default defineRule({
  meta: {
    id: 'RLY065',
    name: 'unknown-input',
    title: 'The relay verdict depends on something the linter cannot read',
    category: 'security',
    severity: 'info',
    messages: {
      unknown:
        'Who may relay through {services} depends on an input Relay Lint cannot read ({reason}): for {count} outside the trusted networks the answer is unknown, not guessed. Check that input by hand, or make it readable (a table file beside main.cf is read).',
    },
    rationale:
      "A clean result is only as good as what the linter could see. Database tables (ldap, mysql, pgsql), table files that are not beside the configuration, template values and the server's own interface addresses are not known to a static linter, so Relay Lint says where its answer stops being known instead of guessing.",
  },
  *check({ file, trust }) {
    const data = postfixDataOf(file);
    if (data === undefined) return;
    const hits: { l: PfListener; reason: string; span: Span; count: string }[] = [];
    data.instance.listeners.forEach((l, i) => {
      const u = data.unauth[i];
      // Unknown answers for trusted clients change no verdict worth a finding.
      const maybe = u === undefined ? undefined : untrusted(u.maybe, trust);
      if (u === undefined || maybe === undefined || maybe.isEmpty()) return;
      for (const reason of u.unknown) {
        // Trust derived from the interfaces is RLY064's (subnet, class); `host` trusts only the
        // server's own addresses, which is what a mail server is meant to do.
        if (/mynetworks_style/.test(reason)) continue;
        const span = placeOf(data, itemFor(data, l, reason));
        if (span !== undefined)
          hits.push({
            l,
            reason: reason.replace(/\.$/, ''),
            span,
            count: describeAddresses(maybe),
          });
      }
    });
    for (const group of groupBy(hits, (h) => `${h.span.start}:${h.span.end}:${h.reason}`)) {
      const first = group[0];
      if (first === undefined) continue;
      const listeners = group.map((h) => h.l);
      yield {
        messageId: 'unknown',
        path: [],
        span: first.span,
        data: {
          services: `service${listeners.length > 1 ? 's' : ''} ${serviceNames(listeners)}`,
          reason: first.reason,
          count: first.count,
        },
      };
    }
  },
});
