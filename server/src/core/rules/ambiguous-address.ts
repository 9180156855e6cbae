import { setScalar } from '../fix/edits.js';
import { listLabel, shown } from '../relay/entries.js';
import { everyEntry, passesAddressPattern } from '../relay/list-entries.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY021',
    name: 'ambiguous-address',
    title: 'An address is written in a form that products read differently',
    category: 'correctness',
    severity: 'medium',
    fixable: 'unsafe',
    messages: {
      one: '"{entry}" in the {list} of "{listener}" is not in dotted-decimal form: {why}. Some products read it as {readings}, others (Postfix, through inet_pton) reject it. Write {readings}.',
      many: '"{entry}" in the {list} of "{listener}" is ambiguous: {why}. Products read it as {readings}, and Postfix (through inet_pton) rejects it. Write the address you mean in dotted-decimal form.',
      numberOne:
        'The {format} number {entry} in the {list} of "{listener}" is read as the address "{entry}", which is not in dotted-decimal form: {why}. Some products read it as {readings}, others reject it. Write {readings}.',
      numberMany:
        'The {format} number {entry} in the {list} of "{listener}" is read as the address "{entry}", which is ambiguous: {why}. Products read it as {readings}, and Postfix rejects it. Write the address you mean in dotted-decimal form.',
    },
    rationale:
      'IPv4 addresses have one unambiguous text form: four decimal numbers from 0 to 255, without leading zeros. The classic inet_aton parser, which Windows and .NET follow, also accepts octal (010 is 8), hexadecimal (0x0a), short forms (10.1 is 10.0.0.1) and a single integer (167772161), while glibc inet_pton, used by Postfix, rejects them, and some tools read a short form as a network prefix (10.1 as 10.1.0.0). The same entry then grants different hosts on different servers; "010.000.000.010" is famously 8.0.0.8. Python fixed its ipaddress module to reject leading zeros after CVE-2021-29921.',
  },
  *check({ file, view }) {
    for (const { listener, list, entry } of everyEntry(view)) {
      const address = entry.address;
      if (address?.parsed.kind !== 'ambiguous') continue;
      if (!passesAddressPattern(address.text)) continue;
      const { readings, why } = address.parsed;
      const number = typeof address.node.value === 'number';
      const several = readings.length > 1;
      yield {
        messageId: number ? (several ? 'numberMany' : 'numberOne') : several ? 'many' : 'one',
        path: entry.path,
        data: {
          entry: shown(entry),
          list: listLabel(list),
          listener: listener.name,
          why,
          readings: orList(readings),
          format: file.format === 'json' ? 'JSON' : 'unquoted YAML',
        },
        fixes: readings.map((r) => ({
          title: `Write ${r}`,
          safe: false,
          preferred: false,
          edits: setScalar(file, address.node, r),
        })),
      };
    }
  },
});

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}
