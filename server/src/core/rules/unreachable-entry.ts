import { connSet } from '../relay/analysis.js';
import { allowEntries, shown } from '../relay/entries.js';
import type { IntervalSet } from '../net/interval-set.js';
import type { ListenerView } from '../relay/view.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY019',
    name: 'unreachable-entry',
    title: 'A relay allow entry lies wholly outside the connection list',
    category: 'hygiene',
    severity: 'info',
    messages: {
      one: '"{entry}" in the relay list of "{listener}" is never used: the connection list keeps this host from connecting at all. Remove the entry, or admit the host in the connection list if it must relay.',
      many: '"{entry}" in the relay list of "{listener}" is never used: the connection list keeps all of these addresses from connecting. Remove the entry, or admit the addresses in the connection list if they must relay.',
    },
    rationale:
      'A client must connect before it can relay, so a relay grant for addresses that connection control turns away does nothing. Either the relay entry is stale, or the connection list is missing a network that was meant to relay; in both cases the configuration does not say what its author thinks it says, and a later change to the connection list would suddenly activate the forgotten grant.',
  },
  *check({ view }) {
    // conn(L) once per listener, not once per relay entry (lists of thousands of entries).
    const admitted = new Map<ListenerView, IntervalSet>();
    for (const { listener, list, entry, parsed } of allowEntries(view)) {
      const conn = listener.connection;
      if (list.kind !== 'relay' || conn === undefined) continue;
      // A domain entry of an allow list admits hosts by reverse DNS, outside the address sets.
      if (conn.mode !== 'allExcept' && conn.entries.some((e) => e.domain !== undefined)) continue;
      let conns = admitted.get(listener);
      if (conns === undefined) {
        conns = connSet(listener);
        admitted.set(listener, conns);
      }
      if (conns.overlaps(parsed.set)) continue;
      yield {
        messageId: parsed.count === 1n ? 'one' : 'many',
        path: entry.path,
        data: { entry: shown(entry), listener: listener.name },
        related: [
          {
            path: conn.modeNode?.path ?? conn.path,
            message: `Connection control (mode: ${conn.mode ?? '?'}) does not admit "${shown(entry)}".`,
          },
        ],
      };
    }
  },
});
