import { defineRule } from '../../../rule.js';
import { postfixDataOf } from '../file-data.js';
import { related, definitionsHere } from '../rule-helpers.js';

const LISTS = new Set([
  'smtpd_relay_restrictions',
  'smtpd_recipient_restrictions',
  'smtpd_client_restrictions',
  'smtpd_helo_restrictions',
  'smtpd_sender_restrictions',
  'smtpd_data_restrictions',
  'smtpd_end_of_data_restrictions',
  'smtpd_etrn_restrictions',
]);

export default defineRule({
  meta: {
    id: 'RLY062',
    name: 'ignored-after-permit',
    title: 'Items after permit in a restriction list are ignored',
    category: 'correctness',
    severity: 'medium',
    messages: {
      ignored:
        '"{item}" in {list} comes after "permit", which always decides: {count} never consulted. Remove the permit or move it after the checks it should follow.',
    },
    rationale:
      'Postfix evaluates a restriction list from left to right and stops at the first item that decides. `permit` always decides, so whatever follows it is dead text that reads like protection; when it was the only relay guard, smtpd refuses to start (RLY060).',
  },
  *check({ file }) {
    const data = postfixDataOf(file);
    if (data === undefined) return;
    const defs = definitionsHere(data);
    for (const def of defs) {
      if (!LISTS.has(def.name)) continue;
      const items = def.items;
      const at = items.findIndex((i) => i.text.toLowerCase() === 'permit');
      const next = at < 0 ? undefined : items[at + 1];
      const permit = items[at];
      if (next === undefined || permit === undefined) continue;
      const rest = items.length - at - 1;
      yield {
        messageId: 'ignored',
        path: [],
        span: next.span,
        data: {
          item: next.text,
          list: def.name,
          count:
            rest === 1
              ? 'it is'
              : rest === 2
                ? 'it and the item after it are'
                : `it and the ${rest - 1} items after it are`,
        },
        related: related(data, [{ where: permit, message: 'this permit decides first' }]),
      };
    }
  },
});
