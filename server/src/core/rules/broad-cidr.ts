import { removeItem, setScalar } from '../fix/edits.js';
import { describeCount } from '../net/scope.js';
import { breadthEntries, narrowedOnce } from '../relay/breadth.js';
import { listLabel, shown } from '../relay/entries.js';
import { defineRule } from '../rule.js';
import type { Fix } from '../model.js';

export default defineRule({
  meta: {
    id: 'RLY010',
    name: 'broad-cidr',
    title: 'An allow entry covers a broad address range',
    category: 'security',
    severity: 'high',
    fixable: 'unsafe',
    messages: {
      relay:
        '{entry} in the relay list of "{listener}" lets {count} {scope} addresses relay (as broad as a /{prefix}); list only the hosts that must relay.',
      connection:
        '{entry} in the connection list of "{listener}" lets {count} {scope} addresses connect (as broad as a /{prefix}); admit only the networks that need this listener.',
    },
    rationale:
      'Every address in a relay allow list may send mail anywhere through the server. A broad range grants that to every host in it, including compromised workstations and, for public space, strangers. Relay grants should name the application servers that need them.',
  },
  *check({ file, doc, view, thresholds }) {
    for (const { listener, list, entry, parsed, label, verdict: v } of breadthEntries(
      view,
      thresholds,
    )) {
      if (v?.id !== 'RLY010') continue;
      const part = v.broad.part;
      const fixes: Fix[] = [];
      // An ambiguous entry is fixed by RLY021 (pick a reading) before it can be narrowed.
      const narrow =
        entry.address?.parsed.kind === 'ok' ? narrowedOnce(parsed, thresholds) : undefined;
      const target = entry.address?.node;
      if (narrow !== undefined && target !== undefined) {
        fixes.push({
          title: `Narrow to ${narrow}`,
          safe: false,
          preferred: false,
          edits: setScalar(file, target, narrow),
        });
      }
      if (list.listNode?.kind === 'array') {
        fixes.push({
          title: `Remove "${shown(entry)}" from the ${listLabel(list)}`,
          safe: false,
          preferred: false,
          edits: removeItem(file, doc.root, list.listNode, entry.index),
        });
      }
      yield {
        messageId: list.kind,
        path: entry.path,
        severity: v.severity,
        data: {
          entry: label,
          listener: listener.name,
          count: describeCount(part.count),
          scope: part.label,
          prefix: part.prefix,
        },
        fixes,
      };
    }
  },
});
