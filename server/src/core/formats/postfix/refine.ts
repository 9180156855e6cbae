import type { Fix, ParsedFile, Span, TextEdit } from '../../model.js';
import type { RelatedReport, Report } from '../../rule.js';
import { interpolate } from '../../rule.js';
import { ruleByToken } from '../../rules/index.js';
import {
  type NodeInfo,
  nearestInfo,
  nodeInfo,
  type PostfixFileData,
  postfixDataOf,
  relatedAt,
} from './file-data.js';
import {
  defContaining,
  postfixAddress,
  removeListItem,
  replaceItem,
  setMainParam,
  setOverride,
  unquoteYaml,
} from './edits.js';
import type { PfItem, PfListener } from './model.js';
import { mynetworksEntries } from './tables.js';

/**
 * How the model rules' reports read on a Postfix file (SPEC §7.1 "Findings on Postfix files").
 * Every report passes through `refinePostfix`: it is kept, reworded in Postfix's terms, given
 * native fixes instead of the YAML ones, moved, or dropped.
 */

/** Model rules that do not apply to Postfix: anonymous SMTP is its nature, and it has no such settings. */
const NOT_POSTFIX = new Set(['RLY002', 'RLY003', 'RLY004', 'RLY005', 'RLY033', 'RLY034']);

/** Reports that are not about the model tree: kept as they are. */
const PASS_THROUGH = /^RLY(06\d|09[789])$/;

/** The address rules, which judge `mynetworks` entries as relay allow entries. */
const ENTRY_RULES = new Set([
  'RLY010',
  'RLY011',
  'RLY012',
  'RLY013',
  'RLY014',
  'RLY015',
  'RLY016',
  'RLY017',
  'RLY019',
  'RLY020',
  'RLY021',
  'RLY022',
  'RLY023',
  'RLY024',
  'RLY025',
]);

export function refinePostfix(
  ruleId: string,
  report: Report<string>,
  file: ParsedFile,
): Report<string> | undefined {
  const data = postfixDataOf(file);
  if (data === undefined || PASS_THROUGH.test(ruleId)) return report;
  if (NOT_POSTFIX.has(ruleId)) return undefined;
  // The hidden server that carries U(L) exists for the open-relay rule alone (view.ts).
  if (report.path[0] === 'servers' && report.path[1] === 1)
    return ruleId === 'RLY001' ? openRelay(report, data) : undefined;
  // On the real server, RLY001 would judge mynetworks alone; the evaluator's U(L) decides.
  if (ruleId === 'RLY001') return undefined;
  const info = nearestInfo(data, report.path);
  if (info === undefined || !belongsHere(info, data)) return undefined;
  if (ENTRY_RULES.has(ruleId)) return entryReport(ruleId, report, info, data);
  switch (ruleId) {
    case 'RLY030':
    case 'RLY032':
      return tlsReport(ruleId, report, info, data);
    case 'RLY031':
      return authAnyAddress(report, info, data);
    case 'RLY050':
    case 'RLY051':
      return domainReport(ruleId, report, info, data);
    default:
      // A model rule this table does not know about has no Postfix reading yet.
      return undefined;
  }
}

/** A node's finding belongs to this file when its value is written here (or is a default, in main.cf). */
function belongsHere(info: NodeInfo, data: PostfixFileData): boolean {
  if (info.role === 'structure' || info.role === 'anchor') return false;
  if (info.file === 'default') return data.kind === 'main.cf';
  return info.file === data.kind;
}

function itemSpan(item: PfItem, data: PostfixFileData): Span | undefined {
  if (item.isDefault === true) return data.kind === 'main.cf' ? data.defaultSpan : undefined;
  return item.file === data.kind ? item.span : undefined;
}

function modelMessage(ruleId: string, report: Report<string>): string {
  if (report.message !== undefined) return report.message;
  const template = ruleByToken(ruleId)?.meta.messages[report.messageId] ?? report.messageId;
  return interpolate(template, report.data);
}

function listenerOf(info: NodeInfo, data: PostfixFileData): PfListener | undefined {
  return info.listener === undefined ? undefined : data.instance.listeners[info.listener];
}

/** "`mynetworks`", or "`mynetworks` (-o of "submission")" for an override. */
function paramLabel(info: NodeInfo, data: PostfixFileData): string {
  const name = info.param ?? 'mynetworks';
  const l = listenerOf(info, data);
  if (info.def?.file === 'master.cf' && l !== undefined)
    return `\`${name}\` (the -o override of service "${l.name}")`;
  return `\`${name}\``;
}

function entryReport(
  ruleId: string,
  report: Report<string>,
  info: NodeInfo,
  data: PostfixFileData,
): Report<string> | undefined {
  const item = info.item;
  if (item === undefined) return undefined;
  const model = info.model ?? item.text;
  let message = modelMessage(ruleId, report)
    .replace(/ in the (?:relay|connection) list of "[^"]*"/, ` in ${paramLabel(info, data)}`)
    .replace(/ in the relay allow list of "[^"]*"/, ` in ${paramLabel(info, data)}`);
  const native = item.text;
  if (model !== native) {
    // The model spells IPv6 without brackets; show the entry as it is written.
    if (message.startsWith(`"${model}"`)) message = `"${native}"${message.slice(model.length + 2)}`;
    else if (message.startsWith(model)) message = `${native}${message.slice(model.length)}`;
  }
  // Postfix matches an IPv6 pattern against IPv6 clients only (`[::]/0` admits no IPv4 client).
  if (/^!?\[/.test(native)) message = message.replace(' all of IPv4 and IPv6', ' all of IPv6');
  const fixes = entryFixes(ruleId, report, item, info, data);
  return {
    ...report,
    message,
    ...(ruleId === 'RLY014' ? { severity: 'high' as const } : {}),
    fixes,
  };
}

/**
 * `orderMatters` per listener index, computed once per file: a list of N entries can give N
 * duplicate findings, and walking every node and entry for each of them was O(N²).
 */
const ORDER_MATTERS = new WeakMap<PostfixFileData, Map<number, boolean>>();

/** Whether removing an entry of this list can change an answer (first match wins). */
function orderMatters(info: NodeInfo, data: PostfixFileData): boolean {
  const l = listenerOf(info, data);
  if (l === undefined || info.listener === undefined || info.role !== 'mynetworks') return true;
  let byListener = ORDER_MATTERS.get(data);
  if (byListener === undefined) {
    byListener = new Map();
    ORDER_MATTERS.set(data, byListener);
  }
  const known = byListener.get(info.listener);
  if (known !== undefined) return known;
  const answer = computeOrderMatters(info.listener, l, data);
  byListener.set(info.listener, answer);
  return answer;
}

function computeOrderMatters(index: number, l: PfListener, data: PostfixFileData): boolean {
  // An access-table line in the same model list answers at another point of the restrictions.
  for (const n of data.nodes.values())
    if (n.role === 'client-access' && n.listener === index) return true;
  return mynetworksEntries(data.instance, l).some((e) => e.negated || e.kind !== 'cidr');
}

/** The model's fixes as native edits: a replaced entry, or a removed one; anything else goes. */
function entryFixes(
  ruleId: string,
  report: Report<string>,
  item: PfItem,
  info: NodeInfo,
  data: PostfixFileData,
): Fix[] {
  // Only an item written in this file's text can be edited (not a default, not an expansion of
  // another file's value).
  const def =
    item.file === data.kind && item.isDefault !== true
      ? defContaining(data.instance, item.file, item.span)
      : undefined;
  if (def === undefined) return [];
  const out: Fix[] = [];
  for (const fix of report.fixes ?? []) {
    let edits: TextEdit[] = [];
    let title = fix.title;
    if (/^Remove\b/.test(fix.title)) {
      // A line of an inline table is not a list item of the parameter: no removal edit.
      if (info.role !== 'mynetworks') continue;
      edits = removeListItem(def, item);
      title = `Remove "${item.text}" from ${paramLabel(info, data).replace(/`/g, '')}`;
    } else {
      const replacement = fix.edits.length === 1 ? fix.edits[0] : undefined;
      if (replacement === undefined) continue;
      const value = postfixAddress(unquoteYaml(replacement.text));
      edits = replaceItem(item, value);
      title = fix.title.replace(/(\S+:\S*)$/, (m) => postfixAddress(m));
    }
    if (edits.length === 0) continue;
    // Removing a duplicate is safe only while no negation, host-bits entry or table between
    // the copies can answer first.
    const safe =
      fix.safe &&
      ruleId !== 'RLY014' &&
      !((ruleId === 'RLY016' || ruleId === 'RLY017') && orderMatters(info, data));
    out.push({ title, safe, preferred: fix.preferred, edits });
  }
  return out;
}

function tlsFix(info: NodeInfo, data: PostfixFileData): Fix[] {
  const l = listenerOf(info, data);
  if (data.kind === 'master.cf') {
    if (l === undefined || l.stock) return [];
    return [
      {
        title: `Require TLS before AUTH on "${l.name}" (-o smtpd_tls_auth_only=yes)`,
        safe: false,
        preferred: true,
        edits: setOverride(data.instance.master.text, l.service, 'smtpd_tls_auth_only', 'yes'),
      },
    ];
  }
  // An override on the service would keep the main.cf value from applying.
  if (l !== undefined && l.service.overrides.some((o) => o.name === 'smtpd_tls_auth_only'))
    return [];
  return [
    {
      title: 'Require TLS before AUTH (smtpd_tls_auth_only = yes)',
      safe: false,
      preferred: true,
      edits: setMainParam(data.instance, 'smtpd_tls_auth_only', 'yes'),
    },
  ];
}

function tlsReport(
  ruleId: string,
  report: Report<string>,
  info: NodeInfo,
  data: PostfixFileData,
): Report<string> {
  const l = listenerOf(info, data);
  const name = l?.name ?? '?';
  const message =
    ruleId === 'RLY030'
      ? `\`permit_sasl_authenticated\` lets authenticated clients of "${name}" relay, and SASL there is offered without TLS (neither \`smtpd_tls_auth_only = yes\` nor \`smtpd_tls_security_level = encrypt\`): a password read off the wire lets whoever captured it relay mail from anywhere. Set \`smtpd_tls_auth_only = yes\`.`
      : `SASL authentication on "${name}" (\`smtpd_sasl_auth_enable = yes\`) accepts user names and passwords over unencrypted sessions, because neither \`smtpd_tls_auth_only = yes\` nor \`smtpd_tls_security_level = encrypt\` holds: anyone on the network path can read them. Set \`smtpd_tls_auth_only = yes\`.`;
  return {
    ...report,
    message,
    related: postfixRelated(report.related, data),
    fixes: tlsFix(info, data),
  };
}

function authAnyAddress(
  report: Report<string>,
  info: NodeInfo,
  data: PostfixFileData,
): Report<string> | undefined {
  const l = listenerOf(info, data);
  // Roaming users relaying after AUTH is what a submission service (587, 465) is for.
  if (l?.role === 'submission') return undefined;
  const item = info.item;
  const def =
    item !== undefined
      ? (info.def ?? defContaining(data.instance, item.file, item.span))
      : undefined;
  const fixes: Fix[] =
    item !== undefined && def !== undefined
      ? [
          {
            title: `Remove permit_sasl_authenticated from ${def.name}`,
            safe: false,
            preferred: false,
            edits: removeListItem(def, item),
          },
        ]
      : [];
  return {
    ...report,
    message: `\`permit_sasl_authenticated\` lets every authenticated client of "${l?.name ?? '?'}" relay, from any address: one guessed or stolen password turns the server into a spam relay. Keep it only where users submit mail (the submission service).`,
    related: postfixRelated(report.related, data),
    fixes,
  };
}

/** Related locations written in this file, worded in Postfix's terms; defaults are left out. */
function postfixRelated(
  related: readonly RelatedReport[] | undefined,
  data: PostfixFileData,
): RelatedReport[] {
  const out: RelatedReport[] = [];
  for (const r of related ?? []) {
    const info = nearestInfo(data, r.path);
    if (info === undefined || info.file !== data.kind) continue;
    const value = info.def?.value.trim() ?? '';
    if (info.role === 'sasl-enable')
      out.push({ ...r, message: `\`smtpd_sasl_auth_enable = ${value}\` offers AUTH` });
    else if (info.role === 'tls')
      out.push({
        ...r,
        message: `\`${info.param ?? 'smtpd_tls_auth_only'} = ${value}\` does not require TLS before AUTH`,
      });
    else if (info.role === 'sasl-permit')
      out.push({ ...r, message: '`permit_sasl_authenticated` lets authenticated clients relay' });
  }
  return out;
}

function domainReport(
  ruleId: string,
  report: Report<string>,
  info: NodeInfo,
  data: PostfixFileData,
): Report<string> | undefined {
  const item = info.item;
  if (item === undefined) return undefined;
  const def = info.def ?? defContaining(data.instance, item.file, item.span);
  const message =
    ruleId === 'RLY050'
      ? `\`relay_domains\` item \`${item.text}\` makes every domain a relay domain: Postfix accepts mail for any recipient from any client and relays it onward, an open relay by domain. Remove it and list the domains this server relays for.`
      : modelMessage(ruleId, report).replace(
          /^Accepted domain "([^"]*)" on server "[^"]*"/,
          `\`relay_domains\` item \`${item.text}\``,
        );
  const fixes: Fix[] =
    def !== undefined && item.file === data.kind
      ? [
          {
            title: `Remove "${item.text}" from relay_domains`,
            safe: false,
            preferred: true,
            edits: removeListItem(def, item),
          },
        ]
      : [];
  return { ...report, message, fixes };
}

function openRelay(report: Report<string>, data: PostfixFileData): Report<string> | undefined {
  // The model rule lists, in order, every entry that grants untrusted addresses: the first one
  // is the first item that admits them.
  const first = (report.related ?? [])
    .map((r) => nodeInfo(data, r.path))
    .find((i): i is NodeInfo => i?.permit !== undefined);
  const permit = first?.permit;
  const l = first?.listener === undefined ? undefined : data.instance.listeners[first.listener];
  if (l === undefined || permit === undefined) return undefined;
  // Listeners that relay for the same addresses through the same items share one finding: the
  // first of them reports it. (Each keeps its own U(L) in the tree, for hover.)
  if (permit.group[0] !== first?.listener) return undefined;
  const span = itemSpan(permit.item, data);
  if (span === undefined) return undefined;
  const count = String(report.data?.['count'] ?? 'some addresses');
  const what = describeGrant(permit.item, data, l);
  const names = permit.group.flatMap((i) => {
    const member = data.instance.listeners[i];
    return member === undefined ? [] : [`"${member.name}"`];
  });
  const who =
    names.length > 1
      ? `Listeners ${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''} are open relays`
      : `Listener "${l.name}" is an open relay`;
  const message = `${who}: ${what.label} lets ${permit.count} relay without authenticating (${count} outside the trusted networks). ${what.advice}`;
  const via = permit.via;
  const related: RelatedReport[] = [];
  if (via !== undefined && via.isDefault !== true) {
    const r = relatedAt(data, via, `\`${via.text}\` lets the clients in \`mynetworks\` relay`);
    if (r !== undefined) related.push(r);
  }
  return {
    messageId: report.messageId,
    path: report.path,
    span,
    severity: report.severity ?? 'critical',
    message,
    data: {
      listener: names.map((n) => n.replace(/"/g, '')).join(', '),
      server: String(report.data?.['server'] ?? ''),
      count,
    },
    related,
  };
}

/** How the message names the item that admits the addresses, and what to do about it. */
function describeGrant(
  item: PfItem,
  data: PostfixFileData,
  l: PfListener,
): { label: string; advice: string } {
  const def =
    item.isDefault === true ? undefined : defContaining(data.instance, item.file, item.span);
  const where = def?.file === 'master.cf' ? ` (the -o override of service "${l.name}")` : '';
  const param = def?.name;
  if (param === 'mynetworks')
    return {
      label: `\`mynetworks\` entry \`${item.text}\`${where}`,
      advice: 'Remove it and list only the hosts that must relay.',
    };
  if (param === 'relay_domains')
    return {
      label: `\`relay_domains\` item \`${item.text}\``,
      advice: 'Remove it and list the domains this server relays for.',
    };
  if (param === undefined)
    return {
      label: `\`${item.text}\``,
      advice: 'List the hosts that must relay in `mynetworks` explicitly.',
    };
  // An access table: name it with the check that consults it.
  const index = def?.items.findIndex((i) => i.span.start === item.span.start) ?? -1;
  const check = index > 0 ? def?.items[index - 1]?.text : undefined;
  const shown =
    check !== undefined && check.toLowerCase().startsWith('check_')
      ? `${check} ${item.text}`
      : item.text;
  return {
    label: `\`${shown}\` in \`${param}\`${where}`,
    advice:
      'Make it answer OK only for the hosts that must relay, or put it after the relay guard.',
  };
}
