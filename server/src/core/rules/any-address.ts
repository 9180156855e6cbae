import { removeItem } from '../fix/edits.js';
import { breadthEntries } from '../relay/breadth.js';
import { listLabel, shown } from '../relay/entries.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY011',
    name: 'any-address',
    title: 'An allow entry covers every address',
    category: 'security',
    severity: 'critical',
    fixable: 'unsafe',
    messages: {
      relay:
        '{entry} in the relay list of "{listener}" covers all of {families}: every such address may relay. Remove it and list the hosts that must relay.',
      connection:
        '{entry} in the connection list of "{listener}" covers all of {families}, so connection control restricts nothing. Remove it and list the networks that need this listener.',
    },
    rationale:
      'An entry such as 0.0.0.0/0 or ::/0 in an "Only the list below" list grants relay to the whole internet: it turns the allow list into an open relay while looking restrictive.',
  },
  *check({ file, doc, view, thresholds }) {
    for (const { listener, list, entry, label, verdict: v } of breadthEntries(view, thresholds)) {
      if (v?.id !== 'RLY011') continue;
      yield {
        messageId: list.kind,
        path: entry.path,
        severity: v.severity,
        data: { entry: label, listener: listener.name, families: v.families },
        fixes:
          list.listNode?.kind === 'array'
            ? [
                {
                  title: `Remove "${shown(entry)}" from the ${listLabel(list)}`,
                  safe: false,
                  preferred: true,
                  edits: removeItem(file, doc.root, list.listNode, entry.index),
                },
              ]
            : [],
      };
    }
  },
});
