import { setScalar } from '../fix/edits.js';
import type { ParsedFile, TextEdit } from '../model.js';
import type { ListView } from '../relay/view.js';
import { defineRule } from '../rule.js';
import { entryOf } from '../tree.js';
import { denyListSeverity, entryList, isInvertedDenyList } from './inverted-deny-list.js';

/** Replaces a relay list with `[]`: the whole value after `list:` in block YAML, else the array. */
function emptyList(file: ParsedFile, list: ListView): TextEdit[] {
  const node = list.listNode;
  if (node === undefined) return [];
  const flow = file.format === 'json' || file.text[node.span.start] === '[';
  const entry = entryOf(list.node, 'list');
  if (flow || entry === undefined) return [{ span: node.span, text: '[]' }];
  return [{ span: { start: entry.keySpan.end + 1, end: node.span.end }, text: ' []' }];
}

export default defineRule({
  meta: {
    id: 'RLY003',
    name: 'deny-list-relay',
    title: 'Relay mode "All except the list below" with entries (a deny list)',
    category: 'security',
    severity: 'high',
    fixable: 'unsafe',
    messages: {
      anonymous:
        'Relay mode allExcept on listener "{listener}" lets every address except {entries} relay without authenticating: a deny list cannot keep up with the internet, and every host it forgets is an open relay client. Use mode: onlyList and list only the hosts that must relay.',
      authenticated:
        'Relay mode allExcept on listener "{listener}" lets authenticated sessions from every address except {entries} relay: a deny list cannot keep up with the internet. Use mode: onlyList and list only the hosts that must relay.',
    },
    rationale:
      '"All except the list below" grants relay to every computer that is not listed. A deny list of relay clients fails open: every new or unknown address may relay, so one forgotten network is enough to make the server an open relay (RFC 2505 §2.1). Microsoft\'s guidance is to grant relay only to the hosts that need it.',
  },
  *check({ file, view, trust }) {
    for (const l of view.listeners) {
      const relay = l.relay;
      if (
        relay?.mode !== 'allExcept' ||
        relay.modeNode === undefined ||
        relay.entries.length === 0 ||
        isInvertedDenyList(relay)
      )
        continue;
      yield {
        messageId: l.anonymous?.value === true ? 'anonymous' : 'authenticated',
        path: relay.modeNode.path,
        severity: denyListSeverity('high', l, trust),
        data: { listener: l.name, entries: entryList(relay) },
        fixes: [
          {
            title: 'Close relay by address (mode: onlyList with an empty list)',
            safe: false,
            preferred: false,
            edits: [...setScalar(file, relay.modeNode, 'onlyList'), ...emptyList(file, relay)],
          },
        ],
      };
    }
  },
});
