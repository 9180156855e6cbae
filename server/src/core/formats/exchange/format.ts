import type { JsonPath, ParsedFile, Problem, Span, SyntaxNode } from '../../model.js';
import { parseEntry } from '../../net/entry.js';
import { BUILTIN_TRUSTED } from '../../net/scope.js';
import { LIMITS } from '../../parse/limits.js';
import { interpolate, type RelatedReport, type Report } from '../../rule.js';
import { ruleByToken } from '../../rules/index.js';
import { computeLineStarts } from '../../text.js';
import type { NativeFormat, Siblings } from '../types.js';
import {
  AM,
  type Connector,
  flagNames,
  PERMISSION_GROUPS,
  PG,
  baseName,
  looksLikeExchange,
  readExchangeExport,
} from './export.js';
import { type ExchangeData, exchangeDataOf, rememberExchangeData } from './data.js';
import { explainExchange } from './explain.js';
import {
  addIntegrated,
  closeRelay,
  entryReplacement,
  narrowOrClose,
  removeAcceptedDomain,
  replaceRange,
  requireTlsForBasic,
  withoutAnonymous,
  withoutGroup,
} from './remedies.js';
import { servedSets } from './selection.js';
import { buildModelTree, type ConnectorModel, domainKey, listenerKey } from './view.js';

/**
 * The Exchange receive-connector export as a native format (SPEC §7.2): parse → model tree,
 * refine → Exchange wording, spans and Exchange Management Shell remedies (no text edits),
 * explain → who may relay through each connector.
 */

/**
 * An export of a large organisation is far bigger than a hand-written relay file; the reader is
 * linear (selection is O(n log n)), so it takes files up to this size.
 */
export const EXCHANGE_MAX_SIZE = 64 * 1024 * 1024;

function refusal(text: string): Problem | undefined {
  if (text.length > EXCHANGE_MAX_SIZE) {
    return {
      message: `The file has ${text.length.toLocaleString('en-US')} characters, over the limit of ${EXCHANGE_MAX_SIZE.toLocaleString('en-US')} for Exchange exports; it is not analysed.`,
      span: { start: 0, end: 0 },
    };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return {
      message: 'The file contains NUL bytes: it looks binary, not a JSON Exchange export.',
      span: { start: nul, end: nul + 1 },
    };
  }
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    return {
      message:
        'The file is not valid UTF-8 (a byte sequence could not be decoded). Save the export with -Encoding UTF8.',
      span: { start: bad, end: bad + 1 },
    };
  }
  return undefined;
}

export function parseExchange(uri: string, text: string, siblings: Siblings): ParsedFile {
  const lineStarts = computeLineStarts(text);
  const whole: Span = { start: 0, end: text.length };
  const base = { uri, format: 'exchange' as const, text, lineStarts, comments: [] };
  const refused = refusal(text);
  const read =
    refused === undefined
      ? readExchangeExport(text, siblings, baseName(uri))
      : { problems: [refused] };
  if (read.data === undefined || read.problems.length > 0) {
    const problems = read.problems.slice(0, LIMITS.maxProblems);
    return { ...base, documents: [{ index: 0, span: whole, root: undefined }], problems };
  }
  const served = servedSets(read.data.connectors);
  const tree = buildModelTree(read.data, served, text);
  const file: ParsedFile = {
    ...base,
    documents: [{ index: 0, span: whole, root: tree.root }],
    problems: [],
  };
  const data: ExchangeData = { export: read.data, served, tree };
  rememberExchangeData(file, data);
  return file;
}

// ---- refine ------------------------------------------------------------------------------------

/** Rules that cannot fire on, or do not apply to, an Exchange export. */
const NOT_FOR_EXCHANGE = new Set([
  'RLY002', // relay mode is always onlyList here
  'RLY003',
  'RLY005',
  'RLY033', // IIS's Basic-authentication default domain; Exchange takes UPNs
  'RLY097', // JSON has no comments
  'RLY098',
]);

/** Entry rules that judge breadth or reverse DNS: only for ranges that grant relay (SPEC §7.2). */
const RELAY_ONLY_ENTRY_RULES = new Set(['RLY010', 'RLY011', 'RLY012', 'RLY013', 'RLY019']);

function isTrustedText(text: string): boolean {
  const p = parseEntry(text);
  return p.kind !== 'invalid' && BUILTIN_TRUSTED.containsSet(p.set);
}

function baseMessage(ruleId: string, report: Report<string>): string {
  const rule = ruleByToken(ruleId);
  const template = rule?.meta.messages[report.messageId] ?? report.messageId;
  const text = report.message ?? interpolate(template, report.data);
  // The model's list names, in Exchange's words.
  return text
    .replace(/\bthe relay list of\b/g, 'the RemoteIPRanges of')
    .replace(/\bthe connection list of\b/g, 'the RemoteIPRanges of')
    .replace(/\b(relay|connection) list\b/g, 'RemoteIPRanges');
}

function withRemedy(message: string, command: string): string {
  return `${message} Fix in the Exchange Management Shell: ${command}`;
}

interface Located {
  readonly model: ConnectorModel;
  /** Index into the connector's ranges when the report is about one RemoteIPRanges entry. */
  readonly rangeIndex?: number;
  readonly list?: 'relay' | 'connection';
}

function locate(data: ExchangeData, path: JsonPath): Located | undefined {
  const key = listenerKey(path);
  if (key === undefined) return undefined;
  const index = data.tree.byListener.get(key);
  const model = index === undefined ? undefined : data.tree.models[index];
  if (model === undefined) return undefined;
  const list = path[4];
  if (
    (list === 'relay' || list === 'connection') &&
    path[5] === 'list' &&
    typeof path[6] === 'number'
  ) {
    return { model, rangeIndex: path[6], list };
  }
  return { model };
}

function who(c: Connector): string {
  return `Receive connector "${c.identity}"`;
}

function grantText(model: ConnectorModel): string {
  const g = model.grants[0];
  if (g?.route === 'externalAuthoritative') {
    return 'AuthMechanism ExternalAuthoritative with PermissionGroups ExchangeServers treats every client as an authenticated Exchange server';
  }
  const p = g?.permission;
  const user = p?.user ?? p?.sid ?? 'ANONYMOUS LOGON';
  const where = p?.file !== undefined ? ` (in ${p.file})` : '';
  return `"${user}" holds ms-Exch-SMTP-Accept-Any-Recipient${where}`;
}

function openRelay(model: ConnectorModel, report: Report<string>): Report<string> {
  const c = model.connector;
  const count = String(report.data?.['count'] ?? 'addresses');
  const command = narrowOrClose(model, isTrustedText);
  const related: RelatedReport[] = [];
  const path = model.path;
  if ((c.permissionGroups.bits & PG.anonymous) !== 0) {
    related.push({
      path: [...path, 'authentication', 'anonymous'],
      message: 'PermissionGroups AnonymousUsers admits anonymous sessions',
    });
  }
  c.ranges.forEach((r, i) => {
    const p = parseEntry(r.text);
    if (p.kind === 'invalid' || !model.served.served.overlaps(p.set)) return;
    const untrusted = p.set.intersect(model.served.served).subtract(BUILTIN_TRUSTED);
    if (untrusted.isEmpty()) return;
    related.push({
      path: [...path, 'relay', 'list', i],
      message: `RemoteIPRanges entry ${r.written} admits untrusted clients`,
    });
  });
  return {
    ...report,
    fixes: [],
    related,
    message: withRemedy(
      `${who(c)} is an open relay: ${grantText(model)}, so ${count} outside the trusted networks in its RemoteIPRanges can relay mail without authenticating.`,
      command,
    ),
    remediation: command,
  };
}

function refineListener(
  ruleId: string,
  report: Report<string>,
  at: Located,
): Report<string> | undefined {
  const { model } = at;
  const c = model.connector;
  if (at.rangeIndex !== undefined) {
    // Synthetic carve-out entries (addresses more specific connectors serve) are not the user's.
    if (at.list === 'connection' && model.relays) return undefined;
    if (!model.relays && RELAY_ONLY_ENTRY_RULES.has(ruleId)) return undefined;
    const item = c.ranges[at.rangeIndex];
    if (item === undefined) return undefined;
    const command = replaceRange(model, item, entryReplacement(ruleId, item), ruleId === 'RLY016');
    let message = baseMessage(ruleId, report);
    if (ruleId === 'RLY019') {
      message = `"${item.written}" in the RemoteIPRanges of "${c.identity}" is never used: connectors with more specific RemoteIPRanges on the same binding serve all of its addresses.`;
    }
    return { ...report, fixes: [], message: withRemedy(message, command), remediation: command };
  }
  const amSpan = c.authMechanism.span ?? c.identitySpan;
  switch (ruleId) {
    case 'RLY001':
      return openRelay(model, report);
    case 'RLY004': {
      const command = withoutAnonymous(model);
      const what =
        (c.permissionGroups.bits & PG.anonymous) !== 0
          ? 'accepts anonymous sessions (PermissionGroups AnonymousUsers)'
          : model.grants.some((g) => g.route === 'externalAuthoritative')
            ? 'admits every client in its RemoteIPRanges without credentials (AuthMechanism ExternalAuthoritative)'
            : 'accepts anonymous sessions (ANONYMOUS LOGON holds ms-Exch-SMTP-Submit)';
      const tail =
        model.role === 'inbound'
          ? ', as a connector that receives internet mail must; keep ms-Exch-SMTP-Accept-Any-Recipient away from ANONYMOUS LOGON here.'
          : model.relays
            ? ' and lets them relay; admit only the hosts that must relay, or require authentication.'
            : '; remove AnonymousUsers unless unauthenticated hosts must send to this connector.';
      return {
        ...report,
        fixes: [],
        message: withRemedy(`${who(c)} ${what}${tail}`, command),
        remediation: command,
      };
    }
    case 'RLY030': {
      const command = requireTlsForBasic(c);
      return {
        ...report,
        span: amSpan,
        fixes: [],
        message: withRemedy(
          `${who(c)} lets authenticated users relay (PermissionGroups ExchangeUsers) and offers Basic authentication without requiring TLS (AuthMechanism lacks BasicAuthRequireTLS): a password read off the wire relays mail from anywhere.`,
          command,
        ),
        remediation: command,
      };
    }
    case 'RLY031': {
      const command = withoutGroup(c, PG.users);
      return {
        ...report,
        span: amSpan,
        fixes: [],
        message: withRemedy(
          `${who(c)} lets every authenticated user relay (PermissionGroups ExchangeUsers) from any address in its RemoteIPRanges: one stolen password relays mail. Keep it only where users must send to external recipients.`,
          command,
        ),
        remediation: command,
      };
    }
    case 'RLY032': {
      const command = requireTlsForBasic(c);
      return {
        ...report,
        span: amSpan,
        fixes: [],
        message: withRemedy(
          `${who(c)} offers Basic authentication without requiring TLS first (AuthMechanism lacks BasicAuthRequireTLS): passwords cross the network in clear text.`,
          command,
        ),
        remediation: command,
      };
    }
    case 'RLY034': {
      const serverAuth =
        (c.permissionGroups.bits & (PG.servers | PG.legacy | PG.partners | PG.custom)) !== 0 ||
        (c.authMechanism.bits & (AM.exchangeServer | AM.externalAuthoritative)) !== 0;
      // Exchange servers and partners authenticate in ways the model does not name.
      if (serverAuth) return undefined;
      const command = addIntegrated(c);
      return {
        ...report,
        span: c.permissionGroups.span ?? c.identitySpan,
        fixes: [],
        message: withRemedy(
          `${who(c)} admits no client: PermissionGroups ${flagNames(c.permissionGroups.bits, PERMISSION_GROUPS).join(', ')} with this AuthMechanism lets no one submit mail.`,
          command,
        ),
        remediation: command,
      };
    }
    default: {
      const command = closeRelay(model);
      if (command === '') return { ...report, fixes: [] };
      return {
        ...report,
        fixes: [],
        message: withRemedy(baseMessage(ruleId, report), command),
        remediation: command,
      };
    }
  }
}

export function refineExchange(
  ruleId: string,
  report: Report<string>,
  file: ParsedFile,
): Report<string> | undefined {
  const data = exchangeDataOf(file);
  if (data === undefined) return { ...report, fixes: [] };
  if (NOT_FOR_EXCHANGE.has(ruleId)) return undefined;
  const at = locate(data, report.path);
  if (at !== undefined) return refineListener(ruleId, report, at);
  const dk = domainKey(report.path);
  const di = dk === undefined ? undefined : data.tree.byDomain.get(dk);
  const domain = di === undefined ? undefined : data.export.acceptedDomains[di];
  if (domain !== undefined) {
    const command = removeAcceptedDomain(domain);
    const where = domain.file !== undefined ? ` (accepted domain in ${domain.file})` : '';
    return {
      ...report,
      fixes: [],
      message: withRemedy(`${baseMessage(ruleId, report)}${where}`, command),
      remediation: command,
    };
  }
  // Anything else: keep it, without the model's YAML edits, which mean nothing in an export.
  return { ...report, fixes: [] };
}

// ---- the format ---------------------------------------------------------------------------------

export { exchangeDataOf, type ExchangeData };

export const exchangeFormat: NativeFormat = {
  id: 'exchange',
  fileFormat: 'exchange',
  matchesPath: (path: string) => /\.exchange\.json$/i.test(path),
  sniff: (text: string) => looksLikeExchange(text),
  parse: parseExchange,
  refine: refineExchange,
  explain: (file, question) => {
    const data = exchangeDataOf(file);
    return data === undefined ? [] : explainExchange(data, question);
  },
};

/** The model root of a parsed export (tests and hover read it). */
export function modelRoot(file: ParsedFile): SyntaxNode | undefined {
  return file.documents[0]?.root;
}
