/**
 * Postfix data model: what the parsers, the expansion, the instance builder and the evaluator
 * (restrictions.ts) hand to each other and to the adapter (format.ts / view.ts / rules/).
 *
 * Public API (stable names; new things are added, nothing is renamed):
 *
 *   main-cf.ts      parseMainCf(text, options?): MainCf        (options.template: Jinja `*.j2`)
 *   master-cf.ts    parseMasterCf(text, options?): MasterCf
 *                   STOCK_MASTER_CF: string (the one `smtp inet n - y - - smtpd` line)
 *   expand.ts       splitItems(value, segments, file): PfItem[]  (commas/blanks, `{…}` whole)
 *                   tokenize(text, seps?): [start, end][]        (Postfix mystrtokq)
 *                   expandValue(source, lookup, fallbackSpan?): Expansion
 *                   compareLevels(a, b): number | undefined      (`3.6` > `2`)
 *   instance.ts     buildInstance(main, master | undefined, readFile?): PostfixInstance
 *                   effectiveParam(instance, listener | undefined, name): EffectiveParam
 *                   postfixDefault(name, compatibilityLevel): string | undefined
 *                   compatLevel(instance, listener?): { text, error? }
 *                   defaultSpan(main): Span   (where findings about defaults go)
 *                   isYes(param): boolean
 *   tables.ts       openTable(instance, spec): PfTable   (cached per instance)
 *                   tableLookup(table, key, partial): LookupResult
 *                   accessAction(value): AccessAction
 *                   mynetworksEntries(instance, listener, hostAddresses?): MynetworksEntry[]
 *                   mynetworksInfo(instance, listener, hostAddresses?): MynetworksInfo
 *                   parseCidrPattern(text): CidrPattern, parseClient(text): ClientAddress
 *   restrictions.ts evaluate(instance, listener, question): PostfixAnswer
 *                   unauthRelaySet(instance, listener, hostAddresses?): UnauthRelay
 *                   serviceDown(instance, listener): ServiceDown | undefined
 *                   KNOWN_RESTRICTIONS, TAKES_ARGUMENT, GUARDS: ReadonlySet<string>
 *   explain.ts      explainPostfix(mainCfText, masterCfText | undefined, question,
 *                                  readFile?): ListenerAnswer[]
 *                   instanceFromTexts(main, master?, readFile?, options?): PostfixInstance
 *                   explainInstance(instance, question): PostfixAnswer[]
 *                   traceForFile(answer, linted: 'main.cf' | 'master.cf'): ListenerAnswer
 *
 * Every span is a half-open range of UTF-16 offsets into the text of the file named by the
 * accompanying `file` field ('main.cf' or 'master.cf').
 */
import type { Comment, Problem, Span } from '../../model.js';
import type { IntervalSet } from '../../net/interval-set.js';
import type { ListenerAnswer } from '../types.js';

/** Which of an instance's two files a span lies in. */
export type PfFileKind = 'main.cf' | 'master.cf';

/**
 * Where a piece of a logical value lies in the file: `length` characters starting at
 * `valueOffset` in the logical value come from `fileOffset` on in the file text (continuation
 * lines are joined without their line break, and comment lines inside are dropped, as
 * Postfix's readllines() does).
 */
export interface Segment {
  readonly valueOffset: number;
  readonly fileOffset: number;
  readonly length: number;
}

/** One list item of a value: `10.0.0.0/8`, `check_client_access cidr:/x` is two items. */
export interface PfItem {
  /** The item as Postfix reads it (after expansion when it came from one). */
  readonly text: string;
  /** Where its text is written. An item from `$name` points at that parameter's item. */
  readonly span: Span;
  readonly file: PfFileKind;
  /**
   * Why the value is not known (a Jinja `{{ … }}` expression, a failed expansion); undefined
   * when it is known.
   */
  readonly unknown?: string;
  /** Parameter names the item was reached through by expansion, outermost first. */
  readonly via?: readonly string[];
  /**
   * The item is (part of) a default value written nowhere; its span is then the place SPEC
   * §7.1 names for defaults (the `compatibility_level` definition, else line 1 of main.cf).
   */
  readonly isDefault?: boolean;
}

/** A `name = value` definition: a main.cf line, or a master.cf `-o name=value`. */
export interface PfParamDef {
  readonly name: string;
  readonly nameSpan: Span;
  /** The value as Postfix reads it (logical line, leading/trailing blanks trimmed). */
  readonly value: string;
  /** From the first to the last character of the value (zero-length after `=` when empty). */
  readonly valueSpan: Span;
  /**
   * The whole logical line including continuation and inner comment lines and the final line
   * break (main.cf; what a "remove this definition" fix deletes). For `-o` overrides: the
   * `-o` and its argument.
   */
  readonly lineSpan: Span;
  /** Value offset → file offset map (see `Segment`). */
  readonly segments: readonly Segment[];
  /** Raw list items of the value, before expansion, with spans. */
  readonly items: readonly PfItem[];
  readonly file: PfFileKind;
  /** The value holds a template expression (`{{ … }}`). */
  readonly template: boolean;
  /** Order among the definitions of its file (0-based). */
  readonly index: number;
}

export interface MainCf {
  readonly text: string;
  /** Every definition, in file order (duplicates included: RLY067). */
  readonly defs: readonly PfParamDef[];
  /** The effective (last) definition of each parameter. */
  readonly params: ReadonlyMap<string, PfParamDef>;
  readonly comments: readonly Comment[];
  /** Lines Postfix cannot read (`postfix` refuses to start: every listener is down). */
  readonly problems: readonly Problem[];
  /**
   * Things Postfix reads with a warning and skips (a logical line starting with whitespace, a
   * byte order mark glued to the first name).
   */
  readonly warnings: readonly Problem[];
  /** A Jinja template (`{{ }}`, `{% %}`, `{# #}` seen). */
  readonly template: boolean;
  /** A binary (NUL bytes) file: one problem, nothing else read. */
  readonly binary: boolean;
}

/** A whitespace-separated master.cf field. */
export interface PfToken {
  readonly text: string;
  readonly span: Span;
}

export interface MasterService {
  /** Column 1: `smtp`, `submission`, `127.0.0.1:2525`, `[::1]:25` … */
  readonly service: PfToken;
  /** Column 2: `inet`, `unix`, `unix-dgram`, `fifo`, `pass` … */
  readonly type: PfToken;
  readonly private: PfToken;
  readonly unpriv: PfToken;
  readonly chroot: PfToken;
  readonly wakeup: PfToken;
  readonly maxproc: PfToken;
  /** Column 8: the command name (`smtpd`). */
  readonly command: PfToken;
  /** Arguments after the command, `-o` pairs included, as tokens. */
  readonly args: readonly PfToken[];
  /** `-o name=value` / `-o { name = value }` overrides, in order (a later one wins). */
  readonly overrides: readonly PfParamDef[];
  /** The whole logical line (with continuation lines). */
  readonly span: Span;
  /** Order among services (0-based). */
  readonly index: number;
}

export interface MasterCf {
  readonly text: string;
  readonly services: readonly MasterService[];
  readonly comments: readonly Comment[];
  /** Lines the master cannot read (Postfix refuses to start). */
  readonly problems: readonly Problem[];
  /** Read with a warning and skipped. */
  readonly warnings: readonly Problem[];
  readonly template: boolean;
  readonly binary: boolean;
}

/** Reads a table or `/file` pattern file: absolute, or relative to the instance folder. */
export type TableReader = (path: string) => string | undefined;

export type ListenerRole = 'inbound' | 'submission' | 'relay';

export interface PfListener {
  /** The service field as written (`smtp`, `submission`, `127.0.0.1:2525`). */
  readonly name: string;
  /** The master.cf service; for the stock master.cf, a synthetic one with `stock: true`. */
  readonly service: MasterService;
  /** The service comes from Postfix's stock master.cf (no master.cf beside main.cf). */
  readonly stock: boolean;
  /**
   * The inet `postscreen` service that accepts the connections and hands them to `service` (a
   * `smtpd pass` service), when the listener is one; its name and port are the listener's.
   */
  readonly frontEnd?: MasterService;
  /** Host part of `host:port`, undefined when the service has none. */
  readonly host?: string;
  /** Port number; undefined when the service name is not known (`/etc/services`). */
  readonly port?: number;
  readonly role: ListenerRole;
  /** `loopback`: only loopback clients can reach it (SPEC §7.1 Reach). */
  readonly reach: 'loopback' | 'all';
}

/** Where an effective parameter value comes from. */
export type ParamOrigin = 'override' | 'main' | 'default';

export interface EffectiveParam {
  readonly name: string;
  readonly origin: ParamOrigin;
  /** The definition (main.cf line or `-o`); undefined for a default. */
  readonly def?: PfParamDef;
  /** The unexpanded value (the default's text for a default). */
  readonly raw: string;
  /** The expanded value as one string. */
  readonly value: string;
  /** Expanded list items with the span of the text each came from. */
  readonly items: readonly PfItem[];
  /** Why the value is not (wholly) known (template, expansion error), else undefined. */
  readonly unknown?: string;
  /** Expansion error (a cycle, too deep): Postfix refuses to run. */
  readonly error?: string;
}

export interface PostfixInstance {
  readonly main: MainCf;
  readonly master: MasterCf;
  /** True when no master.cf was given and the stock one is used. */
  readonly stockMaster: boolean;
  readonly listeners: readonly PfListener[];
  readonly readFile?: TableReader;
}

/** A parsed table result of an access lookup (access(5)). */
export type AccessAction =
  /** OK, RELAY, an all-digit value; DISCARD too (`discard`: accept, drop, skip the rest). */
  | { readonly kind: 'ok'; readonly discard?: boolean }
  | { readonly kind: 'dunno' }
  | { readonly kind: 'reject'; readonly code: string }
  | { readonly kind: 'defer'; readonly code: string }
  | { readonly kind: 'defer_if_permit' }
  | { readonly kind: 'defer_if_reject' }
  | { readonly kind: 'restrictions'; readonly items: readonly string[] }
  | { readonly kind: 'other'; readonly text: string };

/** One `mynetworks` item as Postfix reads it. */
export interface MynetworksEntry {
  readonly item: PfItem;
  readonly negated: boolean;
  /**
   * `cidr`: an address or network (set below); `hostbits`: a network with host bits (451 when
   * reached); `table`: a `type:table` (matched by lookup); `file`: a `/file` pattern;
   * `hostname`: a name matched by reverse DNS; `bad-v6`: unbracketed IPv6 (smtpd fatal);
   * `invalid`: something Postfix cannot read.
   */
  readonly kind: 'cidr' | 'hostbits' | 'table' | 'file' | 'hostname' | 'bad-v6' | 'invalid';
  /** The addresses the entry denotes (cidr; hostbits: the network it would have meant). */
  readonly set?: IntervalSet;
  /** Model notation the address rules parse (`10.0.0.0/8`, `2001:db8::/32`). */
  readonly modelText?: string;
  /** Why the entry cannot be evaluated (unknown table), when it cannot. */
  readonly unknown?: string;
}

/** smtpd refuses to start for this listener. */
export interface ServiceDown {
  readonly reason: string;
  /** The item that causes it (an ignored guard, an unbracketed IPv6 entry), if any. */
  readonly item?: PfItem;
}

/** `explain`'s answer, with what the rules need. */
export interface PostfixAnswer extends ListenerAnswer {
  /** The item that decided (the permit, the guard, the 451 entry). */
  readonly decidedBy?: PfItem;
  /** Inputs the answer depends on but that could not be read (outcome `unknown`). */
  readonly unknownInputs?: readonly string[];
  /**
   * An access table answered DISCARD: RCPT gets 250 and every later restriction is skipped, but
   * the message is thrown away, so nothing is relayed (U(L) does not count it).
   */
  readonly discarded?: boolean;
}

/** `U(L)`: who may relay to an external recipient without authentication. */
export interface UnauthRelay {
  /** Client addresses that get 250 for an external recipient, for some sender. */
  readonly set: IntervalSet;
  /** Which item permits which part of `set` (the first decisive permit per cell). */
  readonly permits: readonly { readonly item: PfItem; readonly set: IntervalSet }[];
  /** Addresses whose answer could not be decided (unknown inputs). */
  readonly maybe: IntervalSet;
  /** Why `maybe` is not empty. */
  readonly unknown: readonly string[];
  /** Set when smtpd would not start: nobody relays, `set` is empty. */
  readonly serviceDown?: ServiceDown;
}
