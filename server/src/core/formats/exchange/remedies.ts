import { parseEntry } from '../../net/entry.js';
import {
  ACCEPT_ANY_RECIPIENT,
  AM,
  AUTH_MECHANISMS,
  type AcceptedDomain,
  type Connector,
  flagNames,
  PERMISSION_GROUPS,
  PG,
  type RangeItem,
  SUBMIT,
} from './export.js';
import { ANONYMOUS_SID } from './principals.js';
import type { ConnectorModel } from './view.js';

/**
 * Exchange Management Shell commands that fix findings (SPEC §7.2 "Remedies, not edits"): an
 * export is not the server, so findings carry the command to run, never a text edit.
 * Syntax per the Set-ReceiveConnector, Remove-ADPermission and Remove-AcceptedDomain docs
 * (MicrosoftDocs/office-docs-powershell); multivalued properties take `@{Add=…; Remove=…}`.
 */

/**
 * A PowerShell double-quoted string. Inside one, `"`, `` ` `` and `$` are special, and so are the
 * typographic double quotes PowerShell also accepts as quote characters: each gets a backtick.
 */
export function psQuote(s: string): string {
  return `"${s.replace(/[`"$\u201c\u201d\u201e]/g, (c) => `\`${c}`)}"`;
}

/**
 * A range in argument mode: bare when it is IPv4 characters only (as Microsoft's examples write
 * `-RemoteIPRanges 10.1.2.0/24`), quoted otherwise (IPv6 colons, the `a(m)` form, zone ids).
 */
export function psRange(s: string): string {
  return /^[0-9][0-9./-]*$/.test(s) ? s : psQuote(s);
}

/** `Tls, BasicAuth` → `Tls,BasicAuth` (a PowerShell array of enum names). */
function psFlags(bits: number, table: Readonly<Record<string, number>>): string {
  return flagNames(bits, table).join(',');
}

export function setConnector(c: Connector, args: string): string {
  return `Set-ReceiveConnector ${psQuote(c.identity)} ${args}`;
}

/** The user argument of Remove-ADPermission: the name as exported, else the SID. */
function userArg(model: ConnectorModel): string[] {
  const users = new Set<string>();
  for (const g of model.grants) {
    if (g.route !== 'permission' || g.permission === undefined) continue;
    users.add(g.permission.user ?? g.permission.sid ?? ANONYMOUS_SID);
  }
  return [...users];
}

/**
 * Closes anonymous relay on the connector: removes each ANONYMOUS LOGON grant of the relay right,
 * and takes ExternalAuthoritative off AuthMechanism (keeping the other mechanisms).
 */
export function closeRelay(model: ConnectorModel): string {
  const c = model.connector;
  const cmds = userArg(model).map(
    (u) =>
      `Remove-ADPermission -Identity ${psQuote(c.identity)} -User ${psQuote(u)} -ExtendedRights ${ACCEPT_ANY_RECIPIENT}`,
  );
  if (model.grants.some((g) => g.route === 'externalAuthoritative')) {
    cmds.push(
      setConnector(
        c,
        `-AuthMechanism ${psFlags(c.authMechanism.bits & ~AM.externalAuthoritative, AUTH_MECHANISMS)}`,
      ),
    );
  }
  return cmds.join('; ');
}

/**
 * Removes one RemoteIPRanges entry, or replaces it. Values inside `@{…}` are expressions, so they
 * are always quoted. `wholeList` writes the complete remaining list instead (for duplicates: a
 * Remove by value might take every equal copy). Without its last entry a connector has nothing
 * to serve (RemoteIPRanges cannot be empty): then relay is closed, or the connector disabled.
 */
export function replaceRange(
  model: ConnectorModel,
  item: RangeItem,
  replacement?: string,
  wholeList = false,
): string {
  const c = model.connector;
  if (replacement === undefined && c.ranges.length <= 1) {
    return model.relays ? closeRelay(model) : setConnector(c, '-Enabled $false');
  }
  if (wholeList) {
    const rest = c.ranges.flatMap((r) =>
      r === item ? (replacement !== undefined ? [replacement] : []) : [r.written],
    );
    return setConnector(c, `-RemoteIPRanges ${rest.map(psRange).join(',')}`);
  }
  const add = replacement !== undefined ? `Add=${psQuote(replacement)}; ` : '';
  return setConnector(c, `-RemoteIPRanges @{${add}Remove=${psQuote(item.written)}}`);
}

/**
 * Narrows a relaying connector to its ranges that lie wholly in trusted space, when there are any
 * (that keeps the hosts meant to relay); otherwise closes relay.
 */
export function narrowOrClose(model: ConnectorModel, isTrusted: (text: string) => boolean): string {
  const c = model.connector;
  const keep = c.ranges.filter((r) => isTrusted(r.text));
  if (model.relays && keep.length > 0 && keep.length < c.ranges.length) {
    return setConnector(c, `-RemoteIPRanges ${keep.map((r) => psRange(r.written)).join(',')}`);
  }
  return closeRelay(model);
}

export function withoutGroup(c: Connector, bit: number): string {
  return setConnector(
    c,
    `-PermissionGroups ${psFlags(c.permissionGroups.bits & ~bit, PERMISSION_GROUPS)}`,
  );
}

/** Basic authentication only after STARTTLS: BasicAuthRequireTLS needs BasicAuth and Tls too. */
export function requireTlsForBasic(c: Connector): string {
  const bits = c.authMechanism.bits | AM.tls | AM.basic | AM.basicRequireTls;
  return setConnector(c, `-AuthMechanism ${psFlags(bits, AUTH_MECHANISMS)}`);
}

/**
 * Stops anonymous sessions: AnonymousUsers out of PermissionGroups, ExternalAuthoritative out of
 * AuthMechanism, and any direct grant of ms-Exch-SMTP-Submit to ANONYMOUS LOGON removed.
 */
export function withoutAnonymous(model: ConnectorModel): string {
  const c = model.connector;
  const cmds: string[] = [];
  if ((c.permissionGroups.bits & PG.anonymous) !== 0) cmds.push(withoutGroup(c, PG.anonymous));
  if (model.grants.some((g) => g.route === 'externalAuthoritative')) {
    cmds.push(
      setConnector(
        c,
        `-AuthMechanism ${psFlags(c.authMechanism.bits & ~AM.externalAuthoritative, AUTH_MECHANISMS)}`,
      ),
    );
  }
  // With AnonymousUsers, the group's own entries grant Submit; they go with the group.
  const direct = (c.permissionGroups.bits & PG.anonymous) === 0 ? model.submitters : [];
  const users = new Set(direct.map((p) => p.user ?? p.sid ?? ANONYMOUS_SID));
  for (const u of users) {
    cmds.push(
      `Remove-ADPermission -Identity ${psQuote(c.identity)} -User ${psQuote(u)} -ExtendedRights ${SUBMIT}`,
    );
  }
  return cmds.join('; ');
}

export function addIntegrated(c: Connector): string {
  const bits = c.authMechanism.bits | AM.tls | AM.integrated;
  const pg = c.permissionGroups.bits | PG.users;
  return setConnector(
    c,
    `-PermissionGroups ${psFlags(pg, PERMISSION_GROUPS)} -AuthMechanism ${psFlags(bits, AUTH_MECHANISMS)}`,
  );
}

export function removeAcceptedDomain(d: AcceptedDomain): string {
  return `Remove-AcceptedDomain ${psQuote(d.name ?? d.domain)}`;
}

/** The replacement an entry rule proposes, in Exchange's range syntax (undefined = just remove). */
export function entryReplacement(ruleId: string, item: RangeItem): string | undefined {
  const p = parseEntry(item.text);
  const r = replacementFor(ruleId, p);
  // Keep Exchange's own netmask notation when the entry was written in it.
  const m = r === undefined ? null : /^([^/]+)\/(\d+\.\d+\.\d+\.\d+)$/.exec(r);
  return m !== null && item.written.includes('(') ? `${m[1] ?? ''}(${m[2] ?? ''})` : r;
}

function replacementFor(ruleId: string, p: ReturnType<typeof parseEntry>): string | undefined {
  switch (ruleId) {
    case 'RLY014':
      return p.kind === 'ok' ? p.hostBits?.network : undefined;
    case 'RLY020':
      return p.kind === 'invalid' ? p.swapped : undefined;
    case 'RLY021':
      return p.kind === 'ambiguous' ? p.readings[0] : undefined;
    case 'RLY022':
      return p.kind === 'ok' ? p.withoutZone : undefined;
    default:
      return undefined;
  }
}
