import type { Interval } from '../net/interval-set.js';
import { formatAddress, parseStrictV4 } from '../net/ip.js';
import { describeCount } from '../net/scope.js';
import { listLabel, shown } from '../relay/entries.js';
import { everyEntry } from '../relay/list-entries.js';
import { defineRule } from '../rule.js';

/** How a non-contiguous mask splits its matches: `blocks` runs of `size` consecutive addresses. */
function maskBlocks(mask: number): { blocks: bigint; size: bigint } {
  const inv = ~mask >>> 0;
  let low = 0;
  while (low < 32 && ((inv >>> low) & 1) === 1) low++;
  let free = 0;
  for (let bit = low; bit < 32; bit++) if (((inv >>> bit) & 1) === 1) free++;
  return { blocks: 1n << BigInt(free), size: 1n << BigInt(low) };
}

function showInterval(iv: Interval | undefined): string {
  if (iv === undefined) return '?';
  const lo = formatAddress(iv.lo, 4);
  return iv.lo === iv.hi ? lo : `${lo}-${formatAddress(iv.hi, 4)}`;
}

export default defineRule({
  meta: {
    id: 'RLY015',
    name: 'non-contiguous-mask',
    title: 'An address/mask entry has a non-contiguous subnet mask',
    category: 'correctness',
    severity: 'medium',
    messages: {
      scattered:
        '"{entry}" in the {list} of "{listener}" uses the non-contiguous mask {mask}: it matches {count} scattered addresses ({examples}), and products disagree on such masks (IIS cannot store one). Use a contiguous mask (ones, then zeros, such as 255.255.255.0) or list the hosts.',
      spread:
        '"{entry}" in the {list} of "{listener}" uses the non-contiguous mask {mask}: it matches {count} addresses scattered across the address space, not one block, and products disagree on such masks (IIS cannot store one). Use a contiguous mask (ones, then zeros, such as 255.255.255.0) or list the hosts.',
      blocks:
        '"{entry}" in the {list} of "{listener}" uses the non-contiguous mask {mask}: it matches {count} addresses in {blocks} separate blocks of {size} ({examples}), and products disagree on such masks (IIS cannot store one). Use a contiguous mask (ones, then zeros, such as 255.255.255.0) or list the hosts.',
    },
    rationale:
      'A subnet mask is meant to be a run of one bits followed by zero bits. A mask such as 255.255.0.255 matches addresses scattered across the space, which is almost never what was meant, and products handle it differently: the IIS IP security list stores a mask only as a number of full bytes plus one last partial byte, so it cannot hold one at all. Relay Lint judges the entry by exactly the addresses that match it, but what the server does with it is uncertain.',
  },
  *check({ view }) {
    for (const { listener, list, entry } of everyEntry(view)) {
      const parsed = entry.address?.parsed;
      if (parsed?.kind !== 'ok' || parsed.nonContiguousMask !== true) continue;
      const maskText = parsed.canonical.slice(parsed.canonical.indexOf('/') + 1);
      const mask = parseStrictV4(maskText);
      if (mask === undefined) continue;
      const { blocks, size } = maskBlocks(mask);
      // Past a limit the parser widens the set to its hull; then there are no blocks to show.
      const [first, second] = parsed.set.intervals;
      yield {
        messageId: second === undefined ? 'spread' : size === 1n ? 'scattered' : 'blocks',
        path: entry.path,
        data: {
          entry: shown(entry),
          list: listLabel(list),
          listener: listener.name,
          mask: maskText,
          count: describeCount(parsed.count),
          blocks: describeCount(blocks),
          size: describeCount(size),
          examples: `${showInterval(first)}, ${showInterval(second)}${blocks > 2n ? ', …' : ''}`,
        },
      };
    }
  },
});
