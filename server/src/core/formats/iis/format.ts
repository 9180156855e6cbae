import { errorMessage } from '../../errors.js';
import type { Fix, JsonPath, ParsedFile, Problem } from '../../model.js';
import { explainModel } from '../../explain/model.js';
import type { RelatedReport, Report } from '../../rule.js';
import { V4_BASE } from '../../net/interval-set.js';
import { parseEntry } from '../../net/entry.js';
import { computeLineStarts } from '../../text.js';
import type { ExplainQuestion, ListenerAnswer, NativeFormat, TraceStep } from '../types.js';
import {
  closedBlobText,
  disableAnonymousFix,
  onlyListBlobText,
  relayForAuthOffFix,
  replaceEntryBlobText,
  requireTlsFix,
  setValue,
  withoutEntryBlobText,
} from './edits.js';
import { SINGLE_HOST_MASK } from './ipsec-blob.js';
import { readMetabase } from './metabase.js';
import {
  buildView,
  entryAt,
  entryText,
  type IisBlob,
  type IisData,
  type IisServer,
} from './view.js';

/**
 * The IIS 6 SMTP metabase (`MetaBase.xml`) as a native format (SPEC §7.3): every
 * `IIsSmtpServer` is one server with one listener in the synthetic model tree; the model rules
 * run on it unchanged, and `refine` puts their findings in IIS words with MetaBase.xml edits.
 */

const DATA = new WeakMap<ParsedFile, IisData>();

/** The IIS data of a file this format parsed; undefined for any other file. */
export function iisDataOf(file: ParsedFile): IisData | undefined {
  return DATA.get(file);
}

function baseName(uri: string): string {
  const cut = Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('\\'));
  return uri.slice(cut + 1);
}

/** `MetaBase.xml` and `*.metabase.xml`, in any case (Windows file names). */
export function isMetabasePath(uri: string): boolean {
  const name = baseName(uri).toLowerCase();
  return name === 'metabase.xml' || name.endsWith('.metabase.xml');
}

export function parseMetabase(uri: string, text: string): ParsedFile {
  try {
    return readFile(uri, text);
  } catch (error) {
    // parse() must not throw: a reader bug is one clear problem, never a crashed lint.
    return {
      uri,
      format: 'iis',
      text,
      comments: [],
      lineStarts: computeLineStarts(text),
      documents: [],
      problems: [
        {
          message: `Relay Lint could not read this metabase (${errorMessage(error)}); please report it.`,
          span: { start: 0, end: 0 },
        },
      ],
    };
  }
}

function readFile(uri: string, text: string): ParsedFile {
  const lineStarts = computeLineStarts(text);
  const xml = readMetabase(text, lineStarts);
  const base = { uri, format: 'iis' as const, text, comments: xml.comments, lineStarts };
  const firstLine: Problem['span'] = {
    start: lineStarts[0] ?? 0,
    end: Math.max(text.slice(0, (lineStarts[1] ?? text.length + 1) - 1).trimEnd().length, 0),
  };
  if (xml.problems.length > 0) return { ...base, documents: [], problems: [...xml.problems] };
  if (!xml.isMetabase)
    return {
      ...base,
      documents: [],
      problems: [
        {
          message:
            'This file is named like an IIS metabase but is not one (its root element is not <configuration>, and it has no <MBProperty> or IIsSmtpServer element); copy %windir%\\System32\\inetsrv\\MetaBase.xml.',
          span: firstLine,
        },
      ],
    };
  const view = buildView(text, xml.elements);
  const file: ParsedFile = {
    ...base,
    documents:
      view.problems.length > 0
        ? []
        : [{ index: 0, span: { start: 0, end: text.length }, root: view.root }],
    problems: [...view.problems],
  };
  DATA.set(file, view.data);
  return file;
}

// ---------------------------------------------------------------------------------------------
// refine: IIS words, MetaBase.xml edits

function serverAt(data: IisData, path: JsonPath): IisServer | undefined {
  return path[0] === 'servers' && typeof path[1] === 'number' ? data.servers[path[1]] : undefined;
}

function vs(server: IisServer): string {
  return server.name === server.location
    ? `Virtual server ${server.location}`
    : `Virtual server "${server.name}" (${server.location})`;
}

function str(report: Report<string>, key: string): string {
  const v = report.data?.[key];
  return v === undefined ? '' : String(v);
}

function blobFix(
  blob: IisBlob,
  title: string,
  text: string,
  safe: boolean,
  preferred: boolean,
): Fix {
  const inherited = blob.property.inherited
    ? ' on /LM/SmtpSvc (inherited by every virtual server that does not set it)'
    : '';
  return {
    title: title + inherited,
    safe,
    preferred,
    edits: [setValue(blob.property, text)],
  };
}

/** The related locations the model rules name in model words, in IIS words. */
function relatedInIisWords(r: RelatedReport, server: IisServer): RelatedReport {
  const last = r.path[r.path.length - 1];
  // "No connection control" points at the listener's name: for IIS, at the element's Location.
  if (last === 'name' && /no connection control/i.test(r.message))
    return {
      ...r,
      path: [...server.path, 'name'],
      message: 'no Connection control (IPSecurity absent or empty): every computer may connect',
    };
  const message = r.message
    .replace(
      'allExcept with an empty list grants relay to every address',
      `RelayIpList: "${ALL_EXCEPT}", nobody listed: every computer may relay`,
    )
    .replace(
      'allExcept grants relay to every address not listed',
      `RelayIpList: "${ALL_EXCEPT}": every computer not listed may relay`,
    )
    .replace(
      'anonymous: true lets sessions relay without credentials',
      'AuthFlags has AuthAnonymous: sessions may relay without credentials',
    )
    .replace(
      'basic: true accepts passwords in clear text',
      'AuthFlags has AuthBasic: passwords cross the network in clear text',
    )
    .replace('requireTls: false', 'AccessSSLFlags lacks AccessSSL: TLS is not required')
    .replace(
      'connection control admits the untrusted addresses',
      'Connection control (IPSecurity) admits the untrusted addresses',
    )
    .replace('bound to a non-loopback address', 'ServerBindings: not bound to loopback only')
    .replace('(mode: onlyList)', `(IPSecurity: "${ONLY}")`)
    .replace('(mode: allExcept)', `(IPSecurity: "${ALL_EXCEPT}")`);
  return { ...r, message };
}

const ONLY = 'Only the list below';
const ALL_EXCEPT = 'All except the list below';

/** Entry rules whose model fix removes the entry: here the blob is re-encoded without it. */
const REMOVES = new Set(['RLY010', 'RLY011', 'RLY016', 'RLY017', 'RLY023', 'RLY025']);

export function refineIis(
  ruleId: string,
  report: Report<string>,
  file: ParsedFile,
): Report<string> | undefined {
  const data = DATA.get(file);
  if (data === undefined) return report;
  const server = serverAt(data, report.path);
  // The model rules' own fixes are YAML edits: never on MetaBase.xml.
  const base: Report<string> = {
    ...report,
    fixes: [],
    ...(report.related !== undefined && server !== undefined
      ? { related: report.related.map((r) => relatedInIisWords(r, server)) }
      : {}),
  };
  if (server === undefined) return base;
  const relay = server.relay;
  const text = file.text;
  switch (ruleId) {
    case 'RLY001':
      return {
        ...base,
        message: `${vs(server)} is an open relay: ${str(report, 'count')} outside the trusted networks can relay mail without authenticating (Anonymous access is on, and Relay restrictions grant them). Set Relay restrictions to "${ONLY}" with only the hosts that must relay, or turn Anonymous access off.`,
      };
    case 'RLY002': {
      const why =
        report.messageId === 'open'
          ? 'and Anonymous access is on: this is an open relay'
          : report.messageId === 'contained'
            ? `and Anonymous access is on; only ${str(report, 'guard').replace('the connection list', 'Connection control (IPSecurity)')} keeps the internet out`
            : 'so every computer that authenticates may relay, from any address';
      const empty = relay?.property.raw.trim() === '' ? ' (RelayIpList="")' : '';
      return {
        ...base,
        message: `Relay restrictions: "${ALL_EXCEPT}", with an empty list${empty}: every computer may relay, ${why}. Choose "${ONLY}" and add only the hosts that must relay.`,
        fixes:
          relay !== undefined
            ? [
                blobFix(
                  relay,
                  `Relay restrictions: ${ONLY}, nobody listed (the list IIS writes)`,
                  closedBlobText(relay),
                  false,
                  true,
                ),
              ]
            : [],
      };
    }
    case 'RLY003':
      return {
        ...base,
        message: `Relay restrictions: "${ALL_EXCEPT}" on ${vs(server).replace('Virtual', 'virtual')}: every computer except ${str(report, 'entries')} may relay${report.messageId === 'anonymous' ? ' without authenticating' : ' once authenticated'}; a deny list cannot keep up with the internet. Choose "${ONLY}" and list only the hosts that must relay.`,
        fixes:
          relay !== undefined
            ? [
                blobFix(
                  relay,
                  `Relay restrictions: ${ONLY}, nobody listed`,
                  closedBlobText(relay),
                  false,
                  true,
                ),
              ]
            : [],
      };
    case 'RLY005':
      return {
        ...base,
        message: `Relay restrictions: "${ALL_EXCEPT}" lists only internal hosts (${str(report, 'entries')}) on ${vs(server).replace('Virtual', 'virtual')}: they are the ones barred, and every other computer, the internet included, may relay. It reads like an allow list saved with the wrong mode: choose "${ONLY}".`,
        fixes:
          relay !== undefined
            ? [
                blobFix(
                  relay,
                  `Relay restrictions: ${ONLY}, keeping the listed hosts`,
                  onlyListBlobText(relay),
                  false,
                  true,
                ),
              ]
            : [],
      };
    case 'RLY004': {
      const inbound = report.messageId === 'inbound';
      return {
        ...base,
        message: `${vs(server)} allows Anonymous access (AuthFlags): its Relay restrictions are the only control on who may relay. Turn Anonymous access off unless it must receive mail from unauthenticated hosts (an internet mail gateway must).`,
        fixes: [disableAnonymousFix(server, text, !inbound)],
      };
    }
    case 'RLY030':
      return {
        ...base,
        message: `${vs(server)} lets every computer that authenticates relay (RelayForAuth), and Basic authentication there does not require TLS (AccessSSLFlags lacks AccessSSL): a password read off the wire lets whoever captured it relay from anywhere. Require TLS encryption.`,
        fixes: [requireTlsFix(server, text, true), relayForAuthOffFix(server, text)],
      };
    case 'RLY031':
      return {
        ...base,
        message: `${vs(server)} has "Allow all computers which successfully authenticate to relay, regardless of the list above" on (RelayForAuth${server.properties.has('RelayForAuth') ? '' : ' absent, which IIS reads as on'}): one guessed or stolen password relays from anywhere. Clear it unless roaming clients must relay here.`,
        fixes: [relayForAuthOffFix(server, text)],
      };
    case 'RLY032':
      return {
        ...base,
        message: `${vs(server)} accepts Basic authentication (AuthFlags: AuthBasic) without requiring TLS (AccessSSLFlags lacks AccessSSL): user names and passwords cross the network in clear text. Require TLS encryption.`,
        fixes: [requireTlsFix(server, text, true)],
      };
    case 'RLY033':
      return {
        ...base,
        message: `${vs(server)} accepts Basic authentication but sets no DefaultDomain: a user name without a domain is looked up in the computer's own domain (or on the computer), which may not hold the accounts you meant. Set the Default domain in the Basic authentication dialog.`,
      };
    case 'RLY034':
      return {
        ...base,
        message: `${vs(server)} has Anonymous access, Basic and Integrated Windows authentication all off (AuthFlags), so it accepts no mail from anyone. Enable the method its clients use, or stop the virtual server.`,
      };
    default:
      return refineEntry(ruleId, report, base, data);
  }
}

function refineEntry(
  ruleId: string,
  report: Report<string>,
  base: Report<string>,
  data: IisData,
): Report<string> {
  const ref = entryAt(data, report.path);
  if (ref === undefined) return base;
  const blob = ref.kind === 'relay' ? ref.server.relay : ref.server.connection;
  if (blob === undefined) return base;
  const entry = blob.entries[ref.index];
  if (entry === undefined) return base;
  const attr = ref.kind === 'relay' ? 'RelayIpList' : 'IPSecurity';
  const fixes: Fix[] = [];
  for (const f of report.fixes ?? []) {
    if (REMOVES.has(ruleId) && /^remove/i.test(f.title)) {
      fixes.push(
        blobFix(
          blob,
          `Remove ${entryText(entry)} from ${attr}`,
          withoutEntryBlobText(blob, ref.index),
          f.safe,
          f.preferred,
        ),
      );
    } else if (ruleId === 'RLY010' && entry.kind === 'address' && /^narrow to /i.test(f.title)) {
      // The model rule names the narrowed entry in its title; IIS stores it as address + mask.
      const narrowed = ipv4Network(f.title.replace(/^narrow to /i, '').trim());
      if (narrowed !== undefined)
        fixes.push(
          blobFix(
            blob,
            `Narrow to ${entryText({ kind: 'address', ...narrowed })} in ${attr}`,
            replaceEntryBlobText(blob, ref.index, { kind: 'address', ...narrowed }),
            f.safe,
            f.preferred,
          ),
        );
    } else if (ruleId === 'RLY014' && entry.kind === 'address' && /network/i.test(f.title)) {
      const network = { ...entry, value: (entry.value & entry.mask) >>> 0 };
      fixes.push(
        blobFix(
          blob,
          `Write the network ${entryText(network)} in ${attr}`,
          replaceEntryBlobText(blob, ref.index, network),
          f.safe,
          f.preferred,
        ),
      );
    } else if (ruleId === 'RLY014' && entry.kind === 'address' && /single host/i.test(f.title)) {
      const host = { kind: 'address' as const, value: entry.value, mask: SINGLE_HOST_MASK };
      fixes.push(
        blobFix(
          blob,
          `Write the single host ${entryText(host)} in ${attr}`,
          replaceEntryBlobText(blob, ref.index, host),
          f.safe,
          f.preferred,
        ),
      );
    }
  }
  const message = report.message ?? undefined;
  return {
    ...base,
    ...(message !== undefined ? { message } : {}),
    fixes,
  };
}

/** An IPv4 CIDR or address/mask as the blob's address and mask, or undefined. */
function ipv4Network(text: string): { value: number; mask: number } | undefined {
  const parsed = parseEntry(text.replace(/^"|"$/g, ''));
  const first = parsed.kind === 'ok' ? parsed.set.intervals[0] : undefined;
  if (parsed.kind !== 'ok' || parsed.family !== 4 || parsed.prefix === undefined) return undefined;
  if (first === undefined || parsed.set.intervals.length !== 1) return undefined;
  const mask = parsed.prefix === 0 ? 0 : (0xffffffff << (32 - parsed.prefix)) >>> 0;
  return { value: Number(first.lo - V4_BASE) >>> 0, mask };
}

// ---------------------------------------------------------------------------------------------
// explain: the model's answer, with the trace named after the metabase properties

const ITEM_NAMES: Readonly<Record<string, string>> = {
  bindings: 'ServerBindings',
  connection: 'IPSecurity',
  'relay.allowAuthenticated': 'RelayForAuth',
  'authentication.anonymous': 'AuthFlags',
  relay: 'RelayIpList',
  acceptedDomains: 'Domains',
};

/** A trace result of the model explainer, in the words of the IIS dialogs. */
function resultInIisWords(item: string, result: string): string {
  switch (item) {
    case 'acceptedDomains':
      return `${result} (the IIS Domains node is not read: mail for a local domain is delivered, not relayed)`;
    case 'authentication.anonymous':
      return result
        .replace(/^true:/, 'AuthAnonymous set:')
        .replace(/^false:/, 'AuthAnonymous not set:');
    case 'relay.allowAuthenticated':
      return result.replace(/^true:/, 'on:').replace(/^false:/, 'off (0):');
    case 'connection':
    case 'relay':
      return result
        .replace(/^allExcept:/, `"${ALL_EXCEPT}":`)
        .replace(/^onlyList:/, `"${ONLY}":`)
        .replace(
          /^absent: every address may connect/,
          'absent or empty: every computer may connect',
        )
        .replace(/^absent: nobody relays by address/, `absent: "${ONLY}", nobody listed`);
    default:
      return result;
  }
}

export function explainIis(file: ParsedFile, question: ExplainQuestion): ListenerAnswer[] {
  const data = DATA.get(file);
  const answers = explainModel(file, question);
  if (data === undefined) return answers;
  return answers.map((a, i) => {
    const server = data.servers[i];
    const trace: TraceStep[] = a.trace.map((s) => ({
      ...s,
      item: ITEM_NAMES[s.item] ?? s.item,
      result: resultInIisWords(s.item, s.result),
    }));
    if (server === undefined) return { ...a, trace };
    // Domain-name entries match by the client's reverse DNS, which the linter cannot see.
    const relay = server.relay;
    const names = relay?.entries.some((e) => e.kind === 'name') === true;
    const byList = /relay list/.test(a.reason);
    if (names && byList) {
      const decides =
        (relay.meaning.mode === 'onlyList' && a.outcome === 'deny') ||
        (relay.meaning.mode === 'allExcept' && a.outcome === 'allow');
      if (decides)
        return {
          ...a,
          trace,
          outcome: 'unknown',
          reply: null,
          reason: `${a.reason}, unless the client's reverse DNS name matches a domain entry of RelayIpList (${relay.entries
            .filter((e) => e.kind === 'name')
            .map(entryText)
            .join(', ')}), which the linter cannot resolve`,
        };
    }
    return { ...a, trace };
  });
}

export const iisFormat: NativeFormat = {
  id: 'iis',
  fileFormat: 'iis',
  matchesPath: isMetabasePath,
  parse: (uri, text) => parseMetabase(uri, text),
  refine: refineIis,
  explain: explainIis,
};
