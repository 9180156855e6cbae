import { definitionsHere } from '../rule-helpers.js';
import type { Fix, Span } from '../../../model.js';
import { parseEntry } from '../../../net/entry.js';
import { defineRule } from '../../../rule.js';
import { postfixDataOf } from '../file-data.js';
import type { PfItem } from '../model.js';
import { accessAction, type CidrRule, openTable } from '../tables.js';

/** The network a host-bits pattern meant (`10.1.2.3/24` → `10.1.2.0/24`), in its own brackets. */
function networkForm(pattern: string): string | undefined {
  const bracketed = /^\[([^\]]*)\](\/\d+)$/.exec(pattern);
  const text = bracketed !== null ? `${bracketed[1] ?? ''}${bracketed[2] ?? ''}` : pattern;
  const parsed = parseEntry(text);
  const network = parsed.kind === 'ok' ? parsed.hostBits?.network : undefined;
  if (network === undefined) return undefined;
  if (bracketed === null) return network;
  const slash = network.lastIndexOf('/');
  return `[${network.slice(0, slash)}]${network.slice(slash)}`;
}

/**
 * Where a rule of an inline table (`cidr:{ {10.1.2.3/24 REJECT} }`) is written: its pattern,
 * found in the item's own text in order; undefined for a table file.
 */
function inlineSpans(text: string, item: PfItem, rules: readonly CidrRule[]): (Span | undefined)[] {
  const written = text.slice(item.span.start, item.span.end);
  let from = written.indexOf('{');
  return rules.map((r) => {
    if (from < 0) return undefined;
    const at = written.indexOf(r.pattern, from);
    if (at < 0) return undefined;
    from = at + r.pattern.length;
    return { start: item.span.start + at, end: item.span.start + at + r.pattern.length };
  });
}

export default defineRule({
  meta: {
    id: 'RLY066',
    name: 'skipped-table-rule',
    title: 'A cidr table line has host bits set, and Postfix skips it',
    category: 'correctness',
    severity: 'high',
    fixable: 'unsafe',
    messages: {
      blocks:
        '"{pattern} {action}" ({where}) has host bits set, so Postfix skips the line: the clients it should block are not blocked and go on to the next restriction, where they may relay (fails open). Write {network}.',
      permits:
        '"{pattern} {action}" ({where}) has host bits set, so Postfix skips the line: the clients it should admit are not admitted (fails closed). Write {network}.',
    },
    rationale:
      'Postfix reads a cidr table pattern whose address has bits set beyond its prefix ("10.1.2.3/24") as an error, logs "skipping this rule", and goes on. A blocking line then blocks nothing, so the clients it names pass to later permits; on Postfix 3.7 such a REJECT line let the client relay through permit_mynetworks.',
  },
  *check({ file }) {
    const data = postfixDataOf(file);
    if (data === undefined) return;
    const defs = definitionsHere(data);
    for (const def of defs) {
      for (const item of def.items) {
        if (!/^cidr:/i.test(item.text) || item.unknown !== undefined) continue;
        const table = openTable(data.instance, item.text);
        if (table.kind !== 'cidr') continue;
        const inline = table.source === 'inline';
        const spans = inline ? inlineSpans(file.text, item, table.rules) : [];
        for (const [k, rule] of table.rules.entries()) {
          if (rule.skipped === undefined || rule.parsed.hostBits !== true) continue;
          const network = networkForm(rule.pattern);
          const kind = accessAction(rule.value).kind;
          // In mynetworks every match trusts; elsewhere only OK-like answers permit.
          const permits = def.name === 'mynetworks' || kind === 'ok' || kind === 'dunno';
          const span = spans[k] ?? item.span;
          const fixes: Fix[] =
            spans[k] !== undefined && network !== undefined
              ? [
                  {
                    title: `Use the network ${network}`,
                    safe: false,
                    preferred: true,
                    edits: [{ span, text: network }],
                  },
                ]
              : [];
          yield {
            messageId: permits ? 'permits' : 'blocks',
            path: [],
            span,
            severity: permits ? 'low' : 'high',
            data: {
              pattern: `${rule.negated ? '!' : ''}${rule.pattern}`,
              action: rule.value,
              where: inline ? `in ${def.name}` : `line ${rule.line} of ${table.source}`,
              network: network ?? 'the network address with the host bits cleared',
            },
            fixes,
          };
        }
      }
    }
  },
});
