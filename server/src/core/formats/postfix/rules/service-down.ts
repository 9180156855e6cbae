import type { Fix, Span, TextEdit } from '../../../model.js';
import { defineRule } from '../../../rule.js';
import { postfixAddress, removeListItem, setMainParam } from '../edits.js';
import { type PostfixFileData, postfixDataOf } from '../file-data.js';
import { effectiveParam } from '../instance.js';
import type { PfListener, ServiceDown } from '../model.js';
import { groupBy, paramSpanHere, RESTRICTION_PARAMS, serviceNames } from '../rule-helpers.js';

const GUARD = 'reject_unauth_destination';
const GUARDS = new Set([
  'reject_unauth_destination',
  'defer_unauth_destination',
  'reject',
  'defer',
  'defer_if_permit',
  'check_relay_domains',
]);
const DEFAULT_RELAY = 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination';

/** An unbracketed IPv6 `mynetworks` entry (`::1/128`), which Postfix opens as a table. */
function isBareV6(text: string): boolean {
  return !text.startsWith('[') && /^!?[0-9a-f]*:[0-9a-f:.]*(\/\d+)?$/i.test(text);
}

/** Where the finding goes: the item that causes it, else the restriction lists, else the default. */
function placeOf(data: PostfixFileData, l: PfListener, down: ServiceDown): Span | undefined {
  if (down.item !== undefined) {
    if (down.item.isDefault === true) return data.kind === 'main.cf' ? data.defaultSpan : undefined;
    return down.item.file === data.kind ? down.item.span : undefined;
  }
  for (const name of RESTRICTION_PARAMS) {
    const p = effectiveParam(data.instance, l, name);
    if (p.def !== undefined && p.def.file === data.kind) return p.def.nameSpan;
  }
  const relay = effectiveParam(data.instance, l, 'smtpd_relay_restrictions');
  return paramSpanHere(data, relay);
}

/**
 * A guard where it makes the lists work: a `permit` that a guard follows is removed (the guard
 * then works); before a `permit` with no guard after it, the guard is inserted; else it goes at
 * the end of the relay restrictions, or into a main.cf definition of them.
 */
function guardEdits(
  data: PostfixFileData,
  l: PfListener,
): { title: string; edits: TextEdit[] } | undefined {
  for (const name of RESTRICTION_PARAMS) {
    const p = effectiveParam(data.instance, l, name);
    if (p.def === undefined || p.def.file !== data.kind) continue;
    const items = p.def.items;
    const at = items.findIndex((i) => i.text.toLowerCase() === 'permit');
    const permit = items[at];
    if (permit === undefined) continue;
    if (items.slice(at + 1).some((i) => GUARDS.has(i.text.toLowerCase())))
      return {
        title: `Remove the permit before the guard in ${name}`,
        edits: removeListItem(p.def, permit),
      };
    // In master.cf a blank would end the -o argument.
    const sep = p.def.file === 'master.cf' ? ',' : ', ';
    return {
      title: `Add ${GUARD} before permit`,
      edits: [
        { span: { start: permit.span.start, end: permit.span.start }, text: `${GUARD}${sep}` },
      ],
    };
  }
  const relay = effectiveParam(data.instance, l, 'smtpd_relay_restrictions');
  const title = `Add ${GUARD}`;
  if (relay.def !== undefined && relay.def.file === data.kind) {
    const sep = relay.def.file === 'master.cf' ? ',' : ', ';
    const end = relay.def.valueSpan.end;
    return relay.def.value.trim() === ''
      ? { title, edits: [{ span: relay.def.valueSpan, text: DEFAULT_RELAY.replace(/, /g, sep) }] }
      : { title, edits: [{ span: { start: end, end }, text: `${sep}${GUARD}` }] };
  }
  if (data.kind === 'main.cf' && relay.def === undefined)
    return { title, edits: setMainParam(data.instance, 'smtpd_relay_restrictions', DEFAULT_RELAY) };
  return undefined;
}

function fixesFor(data: PostfixFileData, l: PfListener, down: ServiceDown): Fix[] {
  const item = down.item;
  if (item !== undefined && isBareV6(item.text)) {
    if (item.file !== data.kind) return [];
    const bracketed = item.text.startsWith('!')
      ? `!${postfixAddress(item.text.slice(1))}`
      : postfixAddress(item.text);
    return [
      {
        title: `Write ${bracketed}`,
        safe: false,
        preferred: true,
        edits: [{ span: item.span, text: bracketed }],
      },
    ];
  }
  const guard = guardEdits(data, l);
  return guard === undefined || guard.edits.length === 0
    ? []
    : [{ title: guard.title, safe: false, preferred: true, edits: guard.edits }];
}

export default defineRule({
  meta: {
    id: 'RLY060',
    name: 'service-down',
    title: 'The Postfix SMTP service would refuse to start',
    category: 'correctness',
    severity: 'high',
    fixable: 'unsafe',
    messages: {
      down: '{services} would not start ({reason}): smtpd exits, clients get no banner and mail queues at the senders. {remedy}',
    },
    rationale:
      'Postfix 3.7 refuses to run smtpd when neither smtpd_relay_restrictions nor smtpd_recipient_restrictions holds a working relay guard (reject_unauth_destination, defer_unauth_destination, reject, defer, defer_if_permit, check_relay_domains not preceded by permit), and when a mynetworks entry is an unbracketed IPv6 network. It is not an open relay: it is no mail service at all.',
  },
  *check({ file }) {
    const data = postfixDataOf(file);
    if (data === undefined) return;
    const hits: { l: PfListener; down: ServiceDown; span: Span }[] = [];
    data.instance.listeners.forEach((l, i) => {
      const down = data.unauth[i]?.serviceDown;
      // A file Postfix cannot read is that file's RLY099, reported there.
      if (down === undefined || /refuses to start: (main|master)\.cf: /.test(down.reason)) return;
      const span = placeOf(data, l, down);
      if (span !== undefined) hits.push({ l, down, span });
    });
    for (const group of groupBy(hits, (h) => `${h.span.start}:${h.span.end}:${h.down.reason}`)) {
      const first = group[0];
      if (first === undefined) continue;
      const bareV6 = first.down.item !== undefined && isBareV6(first.down.item.text);
      const listeners = group.map((h) => h.l);
      yield {
        messageId: 'down',
        path: [],
        span: first.span,
        data: {
          services: `Service${listeners.length > 1 ? 's' : ''} ${serviceNames(listeners)}`,
          reason: first.down.reason
            .replace(/^smtpd (refuses to start|cannot start): /, '')
            .replace(/\.$/, ''),
          remedy: bareV6
            ? 'Write IPv6 networks in brackets.'
            : `Put \`${GUARD}\` in \`smtpd_relay_restrictions\`, after the permits.`,
        },
        fixes: fixesFor(data, first.l, first.down),
      };
    }
  },
});
