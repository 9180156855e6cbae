import type { Span } from '../../../model.js';
import { defineRule } from '../../../rule.js';
import { setMainParam, setOverride } from '../edits.js';
import { postfixDataOf } from '../file-data.js';
import { effectiveParam } from '../instance.js';
import type { PfListener } from '../model.js';
import { groupBy, paramSpanHere, restrictionLists, serviceNames } from '../rule-helpers.js';

const EXPLICIT = '127.0.0.0/8, [::1]/128';

export default defineRule({
  meta: {
    id: 'RLY064',
    name: 'interface-trust',
    title: 'Trusted networks (mynetworks) are derived from the server network interfaces',
    category: 'security',
    severity: 'medium',
    fixable: 'unsafe',
    messages: {
      subnet:
        '`mynetworks` is not set, so Postfix derives it from `mynetworks_style = subnet`: every host on every network the server has an address on may relay through {services}, and that changes whenever the server moves. Set `mynetworks` explicitly.',
      class:
        "`mynetworks` is not set, so Postfix derives it from `mynetworks_style = class`: the whole class A, B or C network of each server address (possibly the provider's entire network) may relay through {services}. Set `mynetworks` explicitly.",
    },
    rationale:
      "With mynetworks unset, Postfix trusts the networks of the machine's own interfaces. Nobody reading the configuration can tell which addresses that is, and it changes when the server moves to another network or gets another interface. `subnet` trusts every neighbour on the LAN, `class` a whole class A/B/C network.",
  },
  *check({ file }) {
    const data = postfixDataOf(file);
    if (data === undefined) return;
    const hits: { l: PfListener; style: 'subnet' | 'class'; span: Span }[] = [];
    for (const l of data.instance.listeners) {
      if (effectiveParam(data.instance, l, 'mynetworks').def !== undefined) continue;
      const consults = restrictionLists(data, l).some(({ param }) =>
        param.items.some((i) => i.text.toLowerCase() === 'permit_mynetworks'),
      );
      if (!consults) continue;
      const styleParam = effectiveParam(data.instance, l, 'mynetworks_style');
      const style = styleParam.value.trim().toLowerCase();
      if (style !== 'subnet' && style !== 'class') continue;
      const span = paramSpanHere(data, styleParam);
      if (span !== undefined) hits.push({ l, style, span });
    }
    for (const group of groupBy(hits, (h) => `${h.span.start}:${h.span.end}:${h.style}`)) {
      const first = group[0];
      if (first === undefined) continue;
      const listeners = group.map((h) => h.l);
      const overridden = first.l.service.overrides.some((o) => o.name === 'mynetworks_style');
      const edits =
        data.kind === 'master.cf' && overridden
          ? setOverride(
              data.instance.master.text,
              first.l.service,
              'mynetworks',
              EXPLICIT.replace(/ /g, ''),
            )
          : data.kind === 'main.cf'
            ? setMainParam(data.instance, 'mynetworks', EXPLICIT)
            : [];
      yield {
        messageId: first.style,
        path: [],
        span: first.span,
        severity: first.style === 'class' ? 'high' : 'medium',
        data: { services: `service${listeners.length > 1 ? 's' : ''} ${serviceNames(listeners)}` },
        fixes:
          edits.length > 0
            ? [
                {
                  title: `Trust loopback only: mynetworks = ${EXPLICIT} (then add the hosts that must relay)`,
                  safe: false,
                  preferred: true,
                  edits,
                },
              ]
            : [],
      };
    }
  },
});
