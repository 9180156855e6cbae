import { parseAddress } from '../../net/ip.js';
import { parseEntry } from '../../net/entry.js';
import { IntervalSet } from '../../net/interval-set.js';
import { describeCount } from '../../net/scope.js';
import type { ExplainQuestion, ListenerAnswer, TraceStep } from '../types.js';
import {
  ACCEPT_ANY_RECIPIENT,
  AM,
  type AcceptedDomain,
  AUTH_MECHANISMS,
  flagNames,
  PERMISSION_GROUPS,
  PG,
} from './export.js';
import type { ExchangeData } from './data.js';
import { competitionGroups } from './selection.js';
import type { ConnectorModel } from './view.js';

/**
 * `relay-lint explain` for an Exchange export (SPEC §7.4): for every receive connector, whether
 * the client may relay through it, with the settings consulted in order. Replies are Exchange's:
 * 530 5.7.1 (client not authenticated), 550 5.7.54 (unable to relay), 250 (accepted).
 */

/** The accepted domain a recipient domain falls under (`*`, `*.name`, or the exact name). */
export function acceptedDomainFor(
  domains: readonly AcceptedDomain[],
  recipientDomain: string,
): AcceptedDomain | undefined {
  const r = recipientDomain.toLowerCase();
  return domains.find((d) => {
    const n = d.domain.toLowerCase();
    if (n === '*') return true;
    if (n.startsWith('*.')) return r === n.slice(2) || r.endsWith(n.slice(1));
    return r === n;
  });
}

function answer(
  m: ConnectorModel,
  outcome: ListenerAnswer['outcome'],
  reply: string | null,
  reason: string,
  trace: TraceStep[],
): ListenerAnswer {
  const server = m.connector.server !== '' ? m.connector.server : 'Exchange';
  return { server, listener: m.connector.name, outcome, reply, reason, trace };
}

export function explainExchange(data: ExchangeData, q: ExplainQuestion): ListenerAnswer[] {
  const parsed = parseAddress(q.client);
  const groups = new Map<number, number[]>();
  for (const g of competitionGroups(data.export.connectors)) for (const i of g) groups.set(i, g);
  return data.tree.models.map((m) => {
    if (parsed.kind !== 'ok') {
      return answer(m, 'unknown', null, `"${q.client}" is not an IP address.`, []);
    }
    return explainOne(data, m, parsed.address.value, q, groups.get(m.connector.index) ?? []);
  });
}

function explainOne(
  data: ExchangeData,
  m: ConnectorModel,
  client: bigint,
  q: ExplainQuestion,
  group: readonly number[],
): ListenerAnswer {
  const c = m.connector;
  const trace: TraceStep[] = [];
  const step = (item: string, span: TraceStep['span'], result: string, file?: string): void => {
    trace.push({
      item,
      ...(span !== undefined ? { span } : {}),
      result,
      ...(file !== undefined ? { file } : {}),
    });
  };
  step('Enabled', c.enabled.span, c.enabled.value ? 'true' : 'false: the connector serves no one');
  if (!c.enabled.value) return answer(m, 'deny', 'none', 'The connector is disabled.', trace);
  // The most specific of the connector's own ranges that holds the client.
  let match: { text: string; written: string; count: bigint; span: TraceStep['span'] } | undefined;
  for (const r of c.ranges) {
    const p = parseEntry(r.text);
    if (p.kind === 'invalid' || !p.set.containsSet(setOf(client))) continue;
    const count = p.kind === 'ok' ? p.count : p.set.count();
    if (match === undefined || count < match.count)
      match = { text: r.text, written: r.written, count, span: r.span };
  }
  if (match === undefined) {
    step('RemoteIPRanges', c.rangesSpan, `no range holds ${q.client}`);
    return answer(
      m,
      'deny',
      'none',
      `${q.client} is not in the connector's RemoteIPRanges: another connector (or none) takes the connection.`,
      trace,
    );
  }
  const servesClient = (i: number): boolean =>
    data.served[i]?.served.containsSet(setOf(client)) === true;
  // Ties (equal ranges on one binding) leave several connectors serving: this one may be one.
  const servedBy = servesClient(c.index) ? c.index : group.find(servesClient);
  if (servedBy !== undefined && servedBy !== c.index) {
    const other = data.export.connectors[servedBy];
    step(
      'RemoteIPRanges',
      match.span,
      `match ${match.written} (${addresses(match.count)}), but "${other?.identity ?? '?'}" matches more specifically`,
    );
    return answer(
      m,
      'deny',
      'none',
      `Connector "${other?.identity ?? '?'}" serves ${q.client}: its RemoteIPRanges match it more specifically.`,
      trace,
    );
  }
  step(
    'RemoteIPRanges',
    match.span,
    `match ${match.written} (${addresses(match.count)}): this connector serves the client`,
  );
  const pg = c.permissionGroups.bits;
  const am = c.authMechanism.bits;
  const pgText = flagNames(pg, PERMISSION_GROUPS).join(', ');
  const amText = flagNames(am, AUTH_MECHANISMS).join(', ');
  if (q.auth) {
    const canAuth =
      (pg & PG.users) !== 0 && (am & (AM.basic | AM.basicRequireTls | AM.integrated)) !== 0;
    step(
      'PermissionGroups',
      c.permissionGroups.span,
      canAuth
        ? `${pgText}: ExchangeUsers may relay after authenticating`
        : `${pgText}: no user authentication with relay rights`,
    );
    if (canAuth)
      return answer(
        m,
        'allow',
        '250',
        'Authenticated users hold ms-Exch-SMTP-Accept-Any-Recipient (PermissionGroups ExchangeUsers).',
        trace,
      );
  }
  const ext = m.grants.find((g) => g.route === 'externalAuthoritative');
  if (ext !== undefined) {
    step(
      'AuthMechanism',
      c.authMechanism.span,
      `${amText}: ExternalAuthoritative with ExchangeServers treats the client as an externally secured server, which may relay`,
    );
    return answer(
      m,
      'allow',
      '250',
      'ExternalAuthoritative + ExchangeServers: every client in RemoteIPRanges relays without authenticating.',
      trace,
    );
  }
  step(
    'PermissionGroups',
    c.permissionGroups.span,
    m.anonymousSessions
      ? `${pgText}: anonymous sessions may submit`
      : `${pgText}: anonymous sessions are not admitted`,
  );
  if (!m.anonymousSessions) {
    return answer(
      m,
      'deny',
      // SPEC §7.4's replies are Postfix's classes: a permanent refusal is 554. Exchange's own
      // code and text stay in the reason.
      '554',
      '530 5.7.1 Client was not authenticated: the connector does not admit anonymous sessions.',
      trace,
    );
  }
  const at = q.to.lastIndexOf('@');
  const rcptDomain = at >= 0 ? q.to.slice(at + 1) : q.to;
  const accepted = acceptedDomainFor(data.export.acceptedDomains, rcptDomain);
  if (accepted !== undefined) {
    step(
      'AcceptedDomain',
      accepted.domainSpan ?? accepted.siblingSpan,
      `${accepted.domain} (${accepted.type ?? 'authoritative'}) holds ${rcptDomain}`,
      accepted.file,
    );
    return answer(
      m,
      'allow',
      '250',
      `The recipient's domain is the accepted domain ${accepted.domain}: the mail is accepted${accepted.type === 'authoritative' || accepted.type === undefined ? ' for local delivery' : ' and relayed onward'}.`,
      trace,
    );
  }
  for (const d of m.denials) {
    step(
      `Deny ${d.user ?? d.sid ?? '?'}`,
      d.span ?? d.siblingSpan,
      `denies ${ACCEPT_ANY_RECIPIENT}`,
      d.file,
    );
  }
  const grant = m.grants.find((g) => g.route === 'permission');
  if (grant !== undefined) {
    const p = grant.permission;
    step(
      p?.user ?? p?.sid ?? 'ANONYMOUS LOGON',
      p?.file !== undefined ? p.siblingSpan : grant.span,
      `allows ${ACCEPT_ANY_RECIPIENT}: anonymous sessions may relay`,
      p?.file,
    );
    return answer(
      m,
      'allow',
      '250',
      `ANONYMOUS LOGON holds ${ACCEPT_ANY_RECIPIENT} on this connector: anonymous clients in its RemoteIPRanges relay.`,
      trace,
    );
  }
  if (data.export.permissionsSource === undefined) {
    step(
      'Get-ADPermission',
      undefined,
      'not in the export: grants made with Add-ADPermission are unknown',
    );
    return answer(
      m,
      'unknown',
      null,
      'The export holds no Get-ADPermission output, so an anonymous relay grant cannot be ruled out.',
      trace,
    );
  }
  step(ACCEPT_ANY_RECIPIENT, undefined, 'not granted to ANONYMOUS LOGON');
  return answer(
    m,
    'deny',
    '554',
    '550 5.7.54 Unable to relay recipient in non-accepted domain.',
    trace,
  );
}

function setOf(v: bigint): IntervalSet {
  return IntervalSet.of(v, v);
}

function addresses(n: bigint): string {
  return n === 1n ? '1 address' : `${describeCount(n)} addresses`;
}
