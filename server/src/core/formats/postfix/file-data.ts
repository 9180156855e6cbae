import type { JsonPath, ParsedFile, Span } from '../../model.js';
import type {
  PfFileKind,
  PfItem,
  PfListener,
  PfParamDef,
  PostfixInstance,
  UnauthRelay,
} from './model.js';

/** What a node of the synthetic model tree stands for in the Postfix files. */
export type NodeRole =
  /** A server or listener object, a list, a flag written nowhere. */
  | 'structure'
  /** A `mynetworks` entry, judged as a relay allow entry. */
  | 'mynetworks'
  /** An OK line of a `check_client_access` table reached before the guard. */
  | 'client-access'
  /** A `relay_domains` item (an accepted domain of a relay type). */
  | 'relay-domain'
  /** The `permit_sasl_authenticated` item (allowAuthenticated). */
  | 'sasl-permit'
  /** `smtpd_sasl_auth_enable` (basic). */
  | 'sasl-enable'
  /** `smtpd_tls_auth_only` / `smtpd_tls_security_level` (requireTls). */
  | 'tls'
  /** The hidden second server that carries `U(L)` for the open-relay rule (see view.ts). */
  | 'anchor';

export interface NodeInfo {
  readonly role: NodeRole;
  /**
   * The file the value is written in; `default` for a value written nowhere (its node sits at
   * main.cf's `compatibility_level` line, or line 1).
   */
  readonly file: PfFileKind | 'default';
  /** Index into `instance.listeners` of the listener the node belongs to. */
  readonly listener?: number;
  /** The Postfix item that produced the value. */
  readonly item?: PfItem;
  /** The definition the value comes from. */
  readonly def?: PfParamDef;
  /** The parameter (or table) the value belongs to, for messages: `mynetworks` … */
  readonly param?: string;
  /** For address entries: the entry in model notation (`2001:db8::/32`). */
  readonly model?: string;
  /** For anchor entries: the permitting item and what it grants. */
  readonly permit?: {
    readonly item: PfItem;
    readonly count: string;
    readonly via?: PfItem;
    /** The listeners (indices) that relay for the same addresses through the same items. */
    readonly group: readonly number[];
  };
}

/** The adapter's data for one parsed main.cf or master.cf, for refine and the product rules. */
export interface PostfixFileData {
  /** Which of the instance's files this ParsedFile is. */
  readonly kind: PfFileKind;
  readonly instance: PostfixInstance;
  /** `U(L)` of each listener, by index into `instance.listeners`. */
  readonly unauth: readonly UnauthRelay[];
  /** Node info by JSON path of the synthetic tree (`JSON.stringify(path)`). */
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  /**
   * Where a finding caused by a default goes: the `compatibility_level` definition, or line 1
   * of main.cf (only meaningful on main.cf).
   */
  readonly defaultSpan: Span;
  /** Paths of nodes by span (`start:end`) of what is written in this file (related locations). */
  readonly spanPaths: ReadonlyMap<string, JsonPath>;
  /** The sibling read for the other file, when there was one (for messages). */
  readonly siblingName?: string;
}

const DATA = new WeakMap<ParsedFile, PostfixFileData>();

/** Product rules and refine reach the Postfix data of a file through this (undefined elsewhere). */
export function postfixDataOf(file: ParsedFile): PostfixFileData | undefined {
  return DATA.get(file);
}

export function attachPostfixData(file: ParsedFile, data: PostfixFileData): void {
  DATA.set(file, data);
}

export function nodeInfo(data: PostfixFileData, path: JsonPath): NodeInfo | undefined {
  return data.nodes.get(JSON.stringify(path));
}

/**
 * The info of the node at `path` or its nearest ancestor that has one (a report on a key of an
 * entry object resolves to the entry).
 */
export function nearestInfo(data: PostfixFileData, path: JsonPath): NodeInfo | undefined {
  for (let n = path.length; n >= 0; n--) {
    const hit = data.nodes.get(JSON.stringify(path.slice(0, n)));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** True when `item` is written in the file of `data` (so a finding on it belongs here). */
export function inThisFile(data: PostfixFileData, item: { readonly file: PfFileKind }): boolean {
  return item.file === data.kind;
}

/** A related location at a span written in this file (undefined when it lies elsewhere). */
export function relatedAt(
  data: PostfixFileData,
  where: { readonly span: Span; readonly file: PfFileKind },
  message: string,
): { path: JsonPath; message: string } | undefined {
  if (where.file !== data.kind) return undefined;
  const path = data.spanPaths.get(`${where.span.start}:${where.span.end}`);
  return path === undefined ? undefined : { path, message };
}

/** The listeners of the instance, with their index. */
export function listenersOf(data: PostfixFileData): { listener: PfListener; index: number }[] {
  return data.instance.listeners.map((listener, index) => ({ listener, index }));
}
