import type { ExplainQuestion, ListenerAnswer, TraceStep } from '../formats/types.js';
import type { ParsedFile, Span } from '../model.js';
import { IntervalSet } from '../net/interval-set.js';
import { parseAddress } from '../net/ip.js';
import { connSet, reachSet, relaySet } from '../relay/analysis.js';
import { type ListenerView, type ListView, viewOf } from '../relay/view.js';
import { matchesDomain } from './domains.js';

/**
 * `explain` on the relay model (SPEC §1 semantics, §7.4 output): for each listener, the steps a
 * server following the model takes for one client and recipient, each with where it is written.
 * A native format whose decision the model expresses (IIS) answers through this too.
 */
export function explainModel(file: ParsedFile, question: ExplainQuestion): ListenerAnswer[] {
  const answers: ListenerAnswer[] = [];
  const client = parseAddress(question.client);
  for (const doc of file.documents) {
    for (const listener of viewOf(doc).listeners) {
      if (client.kind !== 'ok') {
        answers.push(
          answer(listener, 'unknown', null, `"${question.client}" is not an IP address`, []),
        );
        continue;
      }
      const at = IntervalSet.of(client.address.value, client.address.value);
      answers.push(explainListener(listener, at, question));
    }
  }
  return answers;
}

function explainListener(l: ListenerView, client: IntervalSet, q: ExplainQuestion): ListenerAnswer {
  const trace: TraceStep[] = [];
  const step = (item: string, span: Span | undefined, result: string): void => {
    trace.push({ item, ...(span !== undefined ? { span } : {}), result });
  };
  if (!l.enabled) {
    step('enabled', l.enabledNode?.span, 'false: the listener does not accept connections');
    return answer(l, 'service-down', 'none', 'the listener is disabled', trace);
  }
  const reach = reachSet(l);
  const reachable = reach.containsSet(client);
  step(
    'bindings',
    l.bindingsNode?.span,
    reachable
      ? `${l.bindings.join(', ')}: the client can reach the listener`
      : `${l.bindings.join(', ')}: loopback only, the client cannot reach it`,
  );
  if (!reachable) return answer(l, 'deny', 'none', 'the client cannot reach the listener', trace);
  if (l.connection !== undefined) {
    const ok = connSet(l).containsSet(client);
    step(
      'connection',
      l.connection.modeNode?.span ?? l.connection.node.span,
      `${l.connection.mode ?? 'no mode'}: ${ok ? 'the client may connect' : 'the client is refused'}${matchNote(l.connection, client)}`,
    );
    if (!ok) return answer(l, 'deny', 'none', 'the connection control refuses the client', trace);
  } else step('connection', undefined, 'absent: every address may connect');

  const domain = recipientDomain(q.to);
  const accepted = l.server.acceptedDomains.find(
    (d) => d.domain !== undefined && domain !== undefined && matchesDomain(d.domain, domain),
  );
  if (accepted !== undefined) {
    step(
      'acceptedDomains',
      accepted.domainNode?.span ?? accepted.node.span,
      `"${accepted.domain ?? ''}" (${accepted.type ?? 'authoritative'}) covers ${domain ?? ''}`,
    );
    // A domain the server accepts is delivered or relayed for anyone who may send to it.
    if (accepted.domain === '*' || accepted.type !== 'authoritative')
      return answer(
        l,
        'allow',
        '250',
        `the server relays mail for ${accepted.domain ?? ''}`,
        trace,
      );
    return answer(
      l,
      'allow',
      '250',
      `${domain ?? ''} is a domain of this server, not relaying`,
      trace,
    );
  }
  step('acceptedDomains', undefined, `${domain ?? q.to} is not a domain of this server: relaying`);

  if (q.auth) {
    const methods =
      (l.basic?.value === true ? 1 : 0) + (l.integratedWindows?.value === true ? 1 : 0);
    const allowAuth = l.allowAuthenticated?.value !== false;
    step(
      'relay.allowAuthenticated',
      l.allowAuthenticated?.span,
      methods === 0
        ? 'no authentication method is enabled, so the client cannot authenticate'
        : allowAuth
          ? 'true: authenticated sessions may relay'
          : 'false: authenticating does not grant relay',
    );
    if (methods > 0 && allowAuth)
      return answer(
        l,
        'allow',
        '250',
        'the client authenticated, and authenticated sessions relay',
        trace,
      );
  }
  const anonymous = l.anonymous?.value === true;
  if (!q.auth) {
    step(
      'authentication.anonymous',
      l.anonymous?.span,
      anonymous ? 'true: anonymous sessions are accepted' : 'false: the client must authenticate',
    );
    if (!anonymous) return answer(l, 'deny', '554', 'anonymous sessions are not accepted', trace);
  }
  const relay = l.relay;
  const ok = relaySet(l).containsSet(client);
  step(
    'relay',
    relay?.modeNode?.span ?? relay?.node.span,
    relay === undefined
      ? 'absent: nobody relays by address'
      : `${relay.mode ?? 'no mode'}: ${ok ? 'the client may relay' : 'the client may not relay'}${matchNote(relay, client)}`,
  );
  return ok
    ? answer(l, 'allow', '250', 'the relay list lets the client relay', trace)
    : answer(l, 'deny', '554', 'the relay list does not let the client relay', trace);
}

/** Which entry the client matched, if any (`; matches 10.0.0.0/8`). */
function matchNote(list: ListView, client: IntervalSet): string {
  for (const e of list.entries) {
    const p = e.address?.parsed;
    if (p !== undefined && p.kind !== 'invalid' && p.set.containsSet(client))
      return `; matches entry ${e.address?.text ?? ''}`;
  }
  return list.entries.length === 0 ? '; the list is empty' : '; matches no entry';
}

function recipientDomain(to: string): string | undefined {
  const at = to.lastIndexOf('@');
  return at >= 0 ? to.slice(at + 1).toLowerCase() : undefined;
}

function answer(
  l: ListenerView,
  outcome: ListenerAnswer['outcome'],
  reply: string | null,
  reason: string,
  trace: readonly TraceStep[],
): ListenerAnswer {
  return { server: l.server.name, listener: l.name, outcome, reply, reason, trace };
}
