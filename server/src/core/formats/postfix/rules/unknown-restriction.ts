import { definitionsHere } from '../rule-helpers.js';
import type { Fix } from '../../../model.js';
import { defineRule } from '../../../rule.js';
import { replaceItem } from '../edits.js';
import { postfixDataOf } from '../file-data.js';
import { effectiveParam } from '../instance.js';
import { KNOWN_RESTRICTIONS, TAKES_ARGUMENT } from '../restrictions.js';

const LIST = /^smtpd_[a-z_]+_restrictions$/;

/** Levenshtein distance, for did-you-mean (names are short: the quadratic table is fine). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The known restriction closest to `name`, when it is close enough to be a typo of it. */
export function closestRestriction(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of [...KNOWN_RESTRICTIONS].sort()) {
    const d = editDistance(lower, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(lower.length / 4)) ? best : undefined;
}

export default defineRule({
  meta: {
    id: 'RLY061',
    name: 'unknown-restriction',
    title: 'A restriction list names a restriction Postfix does not know',
    category: 'correctness',
    severity: 'high',
    fixable: 'unsafe',
    messages: {
      typo: '"{item}" in {list} is not a restriction Postfix knows: every RCPT that reaches it gets "451 4.3.5 Server configuration error", trusted clients included. Did you mean "{suggestion}"?',
      unknown:
        '"{item}" in {list} is not a restriction Postfix knows: every RCPT that reaches it gets "451 4.3.5 Server configuration error", trusted clients included. Correct or remove it.',
    },
    rationale:
      'Postfix does not refuse to start over an unknown restriction name: it logs "unknown smtpd restriction" and answers every request that reaches the name with a temporary server error. Mail from every client, trusted ones included, queues at the senders and bounces days later. A typo in a permit is the usual cause.',
  },
  *check({ file }) {
    const data = postfixDataOf(file);
    if (data === undefined) return;
    const defs = definitionsHere(data);
    const classes = new Set(
      effectiveParam(data.instance, undefined, 'smtpd_restriction_classes').items.map(
        (i) => i.text,
      ),
    );
    for (const def of defs) {
      if (!LIST.test(def.name) && !classes.has(def.name)) continue;
      const items = def.items;
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (item === undefined || item.unknown !== undefined) continue;
        const name = item.text.toLowerCase();
        if (KNOWN_RESTRICTIONS.has(name) || name === 'warn_if_reject') {
          if (TAKES_ARGUMENT.has(name)) i++;
          continue;
        }
        // A bare `type:table` is a lookup in the list's own kind; `$name` is expanded later.
        if (item.text.includes(':') || item.text.includes('$') || classes.has(item.text)) continue;
        const suggestion = closestRestriction(item.text);
        const fixes: Fix[] =
          suggestion !== undefined
            ? [
                {
                  title: `Replace with ${suggestion}`,
                  safe: false,
                  preferred: true,
                  edits: replaceItem(item, suggestion),
                },
              ]
            : [];
        yield {
          messageId: suggestion !== undefined ? 'typo' : 'unknown',
          path: [],
          span: item.span,
          data: { item: item.text, list: def.name, suggestion: suggestion ?? '' },
          fixes,
        };
      }
    }
  },
});
