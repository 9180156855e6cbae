import type { Hover } from 'vscode-languageserver';
import { nativeFormatByTag } from '../core/formats/index.js';
import { postfixDataOf } from '../core/formats/postfix/file-data.js';
import type { ExplainQuestion, ListenerAnswer, NativeFormat } from '../core/formats/types.js';
import type { ConfigDocument, JsonPath, ParsedFile, Span, SyntaxNode } from '../core/model.js';
import { IntervalSet } from '../core/net/interval-set.js';
import {
  entriesSet,
  relaySet,
  type TrustModel,
  unauthenticatedRelaySet,
} from '../core/relay/analysis.js';
import { describeAddresses } from '../core/relay/describe.js';
import { type ListenerView, type ListView, viewOf } from '../core/relay/view.js';
import { lineOf } from '../core/text.js';
import { toRange } from './diagnostics.js';
import { capitalise, code, entryHover, findEntry, listenerTitle, relayBody } from './hover.js';
import { mainCfParameterAt, masterCfOverrideAt, masterCfServiceAt } from './postfix-lines.js';
import {
  type PostfixParameter,
  postfixParameter,
  postfixRestriction,
  takesRestrictions,
} from './postfix-vocabulary.js';

/**
 * The client the hover asks about: an address of TEST-NET-3 (RFC 5737), which stands for any
 * internet client (it is in no private range and no `trustedNetworks` anyone would write).
 */
export const UNTRUSTED_CLIENT = '203.0.113.7';

/** The hover's question: SPEC §7.4's defaults, from an untrusted client, not authenticated. */
export const HOVER_QUESTION: ExplainQuestion = {
  client: UNTRUSTED_CLIENT,
  to: 'user@relay-lint.invalid',
  from: 'probe@relay-lint.invalid',
  auth: false,
};

/** Listeners shown in one hover (a main.cf parameter concerns every listener). */
const MAX_LISTENERS = 3;
/** Trace steps shown per listener. */
const MAX_TRACE = 12;

/** A node (or an object key) whose span holds the cursor. */
interface Hit {
  readonly node: SyntaxNode;
  readonly span: Span;
}

/**
 * Hover on a native file: what a Postfix parameter or restriction means; for an address entry,
 * what it denotes; for a relay or connection list (a `RelayIpList` blob, `RemoteIPRanges`),
 * its mode and decoded entries with their address counts; and on a listener (a master.cf
 * smtpd service, a main.cf relay parameter, an `IIsSmtpServer` element, a receive connector)
 * the format's `explain` answer for an untrusted client, and who may relay without
 * authenticating.
 */
export function nativeHoverAt(parsed: ParsedFile, offset: number, trust: TrustModel): Hover | null {
  const format = nativeFormatByTag(parsed.format);
  const doc = parsed.documents.find((d) => d.root !== undefined);
  const sections: string[] = [];
  let range: Span | undefined;
  const cover = (span: Span): void => {
    // The hover's range: the smallest thing it is about.
    if (range === undefined || span.end - span.start < range.end - range.start) range = span;
  };

  const postfix = postfixContext(parsed, offset);
  if (postfix?.section !== undefined) {
    sections.push(postfix.section);
    cover(postfix.span);
  }

  const view = doc !== undefined ? viewOf(doc) : undefined;
  const hit = doc !== undefined ? innermost(doc, offset, parsed.text) : undefined;
  let listeners: ListenerView[] = [];
  if (view !== undefined && hit !== undefined) {
    const entry = findEntry(view.listeners, hit.node.path);
    const list = entry === undefined ? listAt(view.listeners, hit.node.path) : undefined;
    if (entry !== undefined)
      sections.push(entryHover(entry.list, entry.entry, entryRole(parsed.format, entry.list)));
    else if (list !== undefined) sections.push(listHover(parsed.format, list.list, list.listener));
    if (entry !== undefined || list !== undefined) cover(hit.span);
    // IIS and Exchange: the element or connector the cursor is in. Postfix: a listener's own
    // nodes only (every listener shares main.cf; the parameter decides, below).
    if (postfix === undefined || postfix.listeners.kind === 'none')
      listeners = view.listeners.filter((l) => isPrefix(l.path, hit.node.path));
  }
  if (view !== undefined && postfix !== undefined && postfix.listeners.kind !== 'none') {
    const wanted = postfix.listeners;
    const extra = view.listeners.filter((l) => wanted.kind === 'all' || l.name === wanted.name);
    listeners = unique([...listeners, ...extra]);
    cover(postfix.span);
  }

  if (listeners.length > 0 && format !== undefined) {
    const answers = explainSafely(format, parsed);
    const groups = byName(view?.listeners ?? [], listeners);
    for (const group of groups.slice(0, MAX_LISTENERS))
      sections.push(listenerSection(parsed, group, answers, trust));
    if (groups.length > MAX_LISTENERS)
      sections.push(`…and ${groups.length - MAX_LISTENERS} more listeners.`);
    if (range === undefined && hit !== undefined) cover(hit.span);
  }
  if (sections.length === 0 || range === undefined) return null;
  return {
    contents: { kind: 'markdown', value: sections.join('\n\n---\n\n') },
    range: toRange(parsed.lineStarts, range),
  };
}

// ---- Where the cursor is in the synthetic model tree ----------------------------------------

function holds(span: Span, offset: number): boolean {
  // Empty spans (defaults written nowhere) hold nothing.
  return span.end > span.start && span.start <= offset && offset <= span.end;
}

/**
 * The smallest node or key span holding the offset. Native spans need not nest (a list entry
 * is hex digits inside a `RelayIpList` attribute that is also the list's mode), so the whole
 * tree is searched rather than descended.
 */
export function innermost(doc: ConfigDocument, offset: number, text = ''): Hit | undefined {
  let best: Hit | undefined;
  // Ties (one text, several model values) go to the value written there as it is (a
  // `mynetworks` item over the ranges an adapter derived from it), then to the deeper node.
  const rank = (node: SyntaxNode, span: Span): [number, number, number] => [
    span.end - span.start,
    node.kind === 'scalar' && node.source === text.slice(span.start, span.end) ? 0 : 1,
    -node.path.length,
  ];
  let bestRank: [number, number, number] = [Infinity, 0, 0];
  const consider = (node: SyntaxNode, span: Span): void => {
    if (!holds(span, offset)) return;
    const r = rank(node, span);
    if (
      r[0] < bestRank[0] ||
      (r[0] === bestRank[0] && (r[1] < bestRank[1] || (r[1] === bestRank[1] && r[2] < bestRank[2])))
    ) {
      best = { node, span };
      bestRank = r;
    }
  };
  const stack: SyntaxNode[] = doc.root !== undefined ? [doc.root] : [];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    consider(node, node.span);
    if (node.kind === 'object')
      for (const e of node.entries) {
        consider(e.value, e.keySpan);
        stack.push(e.value);
      }
    else if (node.kind === 'array') stack.push(...node.items);
  }
  return best;
}

function isPrefix(prefix: JsonPath, path: JsonPath): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** The relay or connection list whose node (mode, list, the block) holds the path. */
function listAt(
  listeners: readonly ListenerView[],
  path: JsonPath,
): { list: ListView; listener: ListenerView } | undefined {
  for (const listener of listeners)
    for (const list of [listener.relay, listener.connection])
      if (list !== undefined && isPrefix(list.path, path)) return { list, listener };
  return undefined;
}

// ---- Lists ---------------------------------------------------------------------------------

/** How each product names a list and its modes. */
function listWords(
  format: ParsedFile['format'],
  list: ListView,
): { name: string; only: string; except: string } {
  if (format === 'iis')
    return list.kind === 'relay'
      ? {
          name: 'Relay restrictions (`RelayIpList`)',
          only: 'Only the list below',
          except: 'All except the list below',
        }
      : {
          name: 'Connection control (`IPSecurity`)',
          only: 'Only the list below',
          except: 'All except the list below',
        };
  if (format === 'exchange')
    return list.kind === 'relay'
      ? {
          name: 'Anonymous relay',
          only: 'the connector’s remote IP ranges',
          except: 'all but these ranges',
        }
      : {
          name: 'Remote IP ranges (`RemoteIPRanges`)',
          only: 'only these may connect',
          except: 'all but these may connect',
        };
  if (list.kind === 'relay')
    return {
      name: 'Relay without authentication (`mynetworks` and the restrictions)',
      only: 'only the clients below',
      except: 'everyone except the clients below',
    };
  return { name: 'Connection list', only: 'only the list below', except: 'all except the list' };
}

/** What a list does with one of its entries, in the product's words. */
function entryRole(format: ParsedFile['format'], list: ListView): string {
  const words = listWords(format, list);
  const mode =
    list.mode === 'onlyList' ? words.only : list.mode === 'allExcept' ? words.except : undefined;
  return `an entry of ${words.name.charAt(0).toLowerCase()}${words.name.slice(1)}${mode !== undefined ? `: ${mode}` : ''}`;
}

/** Entries listed in a list hover before the rest are counted. */
const MAX_ENTRIES = 16;

function listHover(format: ParsedFile['format'], list: ListView, listener: ListenerView): string {
  const words = listWords(format, list);
  const mode =
    list.mode === 'onlyList'
      ? `${words.only} (\`onlyList\`)`
      : list.mode === 'allExcept'
        ? `${words.except} (\`allExcept\`)`
        : 'mode unknown';
  const n = list.entries.length;
  const lines = [
    `**${words.name}** of ${code(listener.name)}: ${mode}, ${n === 1 ? '1 entry' : `${n} entries`}.`,
  ];
  const rows = list.entries.slice(0, MAX_ENTRIES).map((e) => {
    if (e.domain !== undefined) return `- domain ${code(e.domain.name)} (matched by reverse DNS)`;
    const p = e.address?.parsed;
    if (e.address === undefined || p === undefined) return '- an entry Relay Lint cannot read';
    if (p.kind === 'invalid') return `- ${code(e.address.text)}: not an address (${p.why})`;
    const count = describeAddresses(p.set);
    return `- ${code(e.address.text)} — ${count}`;
  });
  if (n > MAX_ENTRIES) rows.push(`- …and ${n - MAX_ENTRIES} more`);
  if (rows.length > 0) lines.push(rows.join('\n'));
  const listed = entriesSet(list);
  if (n > 1) lines.push(`The entries together: ${describeAddresses(listed)}.`);
  if (list.kind === 'relay') {
    const effective = relaySet(listener);
    const who = IntervalSet.ALL.subtract(effective).isEmpty()
      ? 'every IPv4 and IPv6 address'
      : describeAddresses(effective);
    lines.push(`So the relay list grants ${who}.`);
  }
  return lines.join('\n\n');
}

// ---- Listeners: the explain answer and U(L) --------------------------------------------------

/**
 * The answers per parsed file: the linter keeps one parse per document version, so hovering
 * again over a large export does not evaluate every listener again.
 */
const ANSWERS = new WeakMap<ParsedFile, readonly ListenerAnswer[]>();

function explainSafely(format: NativeFormat, parsed: ParsedFile): readonly ListenerAnswer[] {
  const cached = ANSWERS.get(parsed);
  if (cached !== undefined) return cached;
  let answers: readonly ListenerAnswer[];
  try {
    // `parsed` is this thread's parse (lint-state.ts), so the format finds the data it keeps
    // per ParsedFile object.
    answers = format.explain(parsed, HOVER_QUESTION);
  } catch {
    // A failing evaluator must not cost the user the rest of the hover.
    answers = [];
  }
  ANSWERS.set(parsed, answers);
  return answers;
}

const OUTCOME: Readonly<Record<ListenerAnswer['outcome'], string>> = {
  allow: '**Yes: it may relay**',
  deny: 'No: relaying is refused',
  'config-error': 'No, by accident: the server answers with a temporary configuration error',
  'service-down': 'No: the SMTP service would not start',
  unknown: 'Unknown',
};

/**
 * The listeners to show, each with every view of the same server and name: an adapter may model
 * one listener as several (Postfix: its `mynetworks` entries, and its computed relay set).
 */
function byName(all: readonly ListenerView[], shown: readonly ListenerView[]): ListenerView[][] {
  const key = (l: ListenerView): string => `${l.server.name}\u0000${l.name}`;
  const keys = unique(shown.map(key));
  return keys.map((k) => all.filter((l) => key(l) === k));
}

function listenerSection(
  parsed: ParsedFile,
  group: readonly ListenerView[],
  answers: readonly ListenerAnswer[],
  trust: TrustModel,
): string {
  const [l] = group;
  if (l === undefined) return '';
  const answer =
    answers.find((a) => a.listener === l.name && a.server === l.server.name) ??
    answers.find((a) => a.listener === l.name);
  const parts = [listenerTitle(l)];
  if (answer !== undefined) parts.push(answerText(parsed, answer));
  parts.push(
    relayBody(
      l,
      trust,
      exactRelaySet(parsed, l) ?? IntervalSet.union(group.map(unauthenticatedRelaySet)),
    ),
  );
  return parts.join('\n\n');
}

/**
 * Postfix decides relaying by evaluating its restriction lists, so the model's listener (its
 * `mynetworks` entries) overstates who relays: the evaluator's exact U(L) is the answer.
 */
function exactRelaySet(parsed: ParsedFile, l: ListenerView): IntervalSet | undefined {
  const data = postfixDataOf(parsed);
  if (data === undefined) return undefined;
  const i = data.instance.listeners.findIndex((x) => x.name === l.name);
  return i >= 0 ? data.unauth[i]?.set : undefined;
}

function answerText(parsed: ParsedFile, a: ListenerAnswer): string {
  const reply = a.reply === null || a.reply === 'none' ? '' : ` (RCPT TO gets ${a.reply})`;
  const lines = [
    `**May ${code(UNTRUSTED_CLIENT)} relay here?** (a documentation address standing for any ` +
      `internet client; not authenticated; to ${code(HOVER_QUESTION.to)})`,
    `${OUTCOME[a.outcome]}${reply}. ${capitalise(a.reason)}`.trim(),
  ];
  if (a.trace.length > 0) {
    const steps = a.trace.slice(0, MAX_TRACE).map((t, i) => {
      // A span in another file (a master.cf override seen from main.cf) has no line here.
      const at =
        t.span === undefined
          ? 'default'
          : (t.file ?? `line ${lineOf(parsed.lineStarts, t.span.start) + 1}`);
      return `${i + 1}. ${code(t.item)} → ${t.result} (${at})`;
    });
    if (a.trace.length > MAX_TRACE) steps.push(`…${a.trace.length - MAX_TRACE} more steps`);
    lines.push(steps.join('\n'));
  }
  return lines.join('\n\n');
}

// ---- Postfix: the parameter or restriction under the cursor ----------------------------------

type ListenerChoice =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'service'; readonly name: string };

interface PostfixHover {
  readonly span: Span;
  readonly section?: string;
  /** Listeners the hover concerns: all (a relay parameter), one service, or none. */
  readonly listeners: ListenerChoice;
}

function postfixContext(parsed: ParsedFile, offset: number): PostfixHover | undefined {
  if (parsed.format === 'postfix-main') {
    const p = mainCfParameterAt(parsed.text, offset);
    if (p === undefined) return undefined;
    const info = postfixParameter(p.name);
    const relay = info?.relay === true || takesRestrictions(p.name);
    const word = offset >= p.valueStart ? restrictionAt(parsed.text, offset, p.name) : undefined;
    const section = word?.section ?? (offset < p.valueStart ? parameterText(p.name, info) : '');
    return {
      span:
        word?.span ??
        (offset < p.valueStart ? p.nameSpan : { start: p.valueStart, end: p.line.end }),
      ...(section !== '' ? { section } : {}),
      listeners: { kind: relay ? 'all' : 'none' },
    };
  }
  if (parsed.format === 'postfix-master') {
    const service = masterCfServiceAt(parsed.text, offset);
    if (service === undefined) return undefined;
    const smtpd = service.type === 'inet' && service.command === 'smtpd';
    const o = masterCfOverrideAt(parsed.text, offset);
    let section: string | undefined;
    let span = service.serviceSpan;
    if (o !== undefined && offset < o.valueStart) {
      section = parameterText(o.name, postfixParameter(o.name));
      span = o.nameSpan;
    } else if (o !== undefined) {
      const word = restrictionAt(parsed.text, offset, o.name);
      section = word?.section;
      if (word !== undefined) span = word.span;
    }
    return {
      span,
      ...(section !== undefined ? { section } : {}),
      listeners: smtpd ? { kind: 'service', name: service.service } : { kind: 'none' },
    };
  }
  return undefined;
}

function parameterText(name: string, info: PostfixParameter | undefined): string {
  if (info === undefined)
    return takesRestrictions(name)
      ? `**${code(name)}** — a restriction list (see postconf(5)).`
      : '';
  const lines = [`**${code(name)}** — ${info.meaning}`];
  if (info.default !== undefined) lines.push(`Default: ${info.default}.`);
  return lines.join('\n\n');
}

/** The restriction name under the cursor in a restriction list value, with its meaning. */
function restrictionAt(
  text: string,
  offset: number,
  parameter: string,
): { span: Span; section: string } | undefined {
  if (!takesRestrictions(parameter)) return undefined;
  let start = offset;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1] ?? '')) start--;
  let end = offset;
  while (end < text.length && /[A-Za-z0-9_]/.test(text[end] ?? '')) end++;
  const r = postfixRestriction(text.slice(start, end));
  if (r === undefined) return undefined;
  return { span: { start, end }, section: `**${code(r.name)}** — ${r.meaning}` };
}
