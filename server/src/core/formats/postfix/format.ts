import { errorMessage } from '../../errors.js';
import type { ParsedFile, Problem, Span } from '../../model.js';
import { computeLineStarts } from '../../text.js';
import type {
  ExplainQuestion,
  ListenerAnswer,
  NativeFormat,
  Siblings,
  TraceStep,
} from '../types.js';
import { attachPostfixData, postfixDataOf, type PostfixFileData } from './file-data.js';
import { buildInstance, defaultSpan, effectiveParam } from './instance.js';
import { parseMainCf } from './main-cf.js';
import { parseMasterCf } from './master-cf.js';
import type { PfFileKind, PostfixInstance, TableReader, UnauthRelay } from './model.js';
import { refinePostfix } from './refine.js';
import { traceForFile } from './explain.js';
import { evaluate, unauthRelaySet } from './restrictions.js';
import { buildTree } from './view.js';

/**
 * Postfix as a native format (SPEC §7.1): `main.cf` and `master.cf` in one folder form an
 * instance; each file is linted on its own, with the other read as a sibling, and reports only
 * the findings whose range lies in itself.
 */

const MAIN = /^(?:.+\.)?main\.cf(?:\.j2)?$/;
const MASTER = /^(?:.+\.)?master\.cf(?:\.j2)?$/;

function baseName(uri: string): string {
  const cut = Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('\\'));
  return uri.slice(cut + 1);
}

/** `main.cf`, `master.cf`, `*.main.cf`, `*.master.cf`, `main.cf.j2`, `master.cf.j2`. */
export function isPostfixPath(uri: string): boolean {
  const name = baseName(uri);
  return MAIN.test(name) || MASTER.test(name);
}

export function postfixFileKind(uri: string): PfFileKind {
  return MASTER.test(baseName(uri)) ? 'master.cf' : 'main.cf';
}

/** The names under which the other file of the instance may sit beside this one, best first. */
export function siblingNames(uri: string): string[] {
  const name = baseName(uri);
  const master = MASTER.test(name);
  const [from, to] = master ? ['master.cf', 'main.cf'] : ['main.cf', 'master.cf'];
  const derived = name.replace(from, to);
  const plain = name.endsWith('.j2') ? [`${to}.j2`, to] : [to];
  return [...new Set([derived, ...plain])];
}

function readSibling(uri: string, siblings: Siblings): { name: string; text: string } | undefined {
  for (const name of siblingNames(uri)) {
    const text = siblings.read(name);
    if (text !== undefined) return { name, text };
  }
  return undefined;
}

/** Table files: beside the configuration, by their path or, for an absolute path, by name. */
function tableReader(siblings: Siblings): TableReader {
  return (path: string) => {
    const direct = siblings.read(path);
    if (direct !== undefined) return direct;
    const cut = path.lastIndexOf('/');
    return cut >= 0 ? siblings.read(path.slice(cut + 1)) : undefined;
  };
}

function firstLineSpan(text: string): Span {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === '\r') end--;
  return { start, end };
}

function folderName(uri: string): string | undefined {
  const parts = uri.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

function parsePostfix(uri: string, text: string, siblings: Siblings): ParsedFile {
  const kind = postfixFileKind(uri);
  const template = /\.j2$/i.test(uri) ? true : undefined;
  const options = template !== undefined ? { template } : {};
  const sibling = readSibling(uri, siblings);
  const mainText = kind === 'main.cf' ? text : (sibling?.text ?? '');
  const main = parseMainCf(mainText, options);
  const master =
    kind === 'master.cf'
      ? parseMasterCf(text, options)
      : sibling !== undefined
        ? parseMasterCf(sibling.text, options)
        : undefined;
  const own = kind === 'main.cf' ? main : master;
  const lineStarts = computeLineStarts(text);
  const base = {
    uri,
    format: kind === 'main.cf' ? ('postfix-main' as const) : ('postfix-master' as const),
    text,
    comments: own?.comments ?? [],
    lineStarts,
  };
  const instance = buildInstance(main, master, tableReader(siblings));
  const fallback = kind === 'main.cf' ? defaultSpan(main) : firstLineSpan(text);
  if (own !== undefined && own.problems.length > 0) {
    // Syntax errors stop the rules (RLY099 only); explain still answers (Postfix would not start).
    const broken: ParsedFile = { ...base, documents: [], problems: own.problems };
    attachPostfixData(broken, {
      kind,
      instance,
      unauth: [],
      nodes: new Map(),
      spanPaths: new Map(),
      defaultSpan: fallback,
      ...(sibling !== undefined ? { siblingName: sibling.name } : {}),
    });
    return broken;
  }
  const unauth = unauthOfListeners(instance);
  const hostname = effectiveParam(instance, undefined, 'myhostname');
  const serverName =
    hostname.def !== undefined && hostname.unknown === undefined && hostname.value.trim() !== ''
      ? hostname.value.trim()
      : (folderName(uri) ?? 'postfix');
  const tree = buildTree({ instance, unauth, kind, text, defaultSpan: fallback, serverName });
  const file: ParsedFile = {
    ...base,
    documents: [{ index: 0, span: { start: 0, end: text.length }, root: tree.root }],
    problems: [],
  };
  const data: PostfixFileData = {
    kind,
    instance,
    unauth,
    nodes: tree.nodes,
    spanPaths: tree.spanPaths,
    defaultSpan: fallback,
    ...(sibling !== undefined ? { siblingName: sibling.name } : {}),
  };
  attachPostfixData(file, data);
  return file;
}

/** Parses without throwing: a failure of the reader is one RLY099 finding at line 1. */
function safeParse(uri: string, text: string, siblings: Siblings): ParsedFile {
  try {
    return parsePostfix(uri, text, siblings);
  } catch (error) {
    const problem: Problem = {
      message: `Relay Lint could not read this Postfix configuration (${errorMessage(error)}); please report it.`,
      span: firstLineSpan(text),
    };
    return {
      uri,
      format: postfixFileKind(uri) === 'main.cf' ? 'postfix-main' : 'postfix-master',
      text,
      documents: [],
      problems: [problem],
      comments: [],
      lineStarts: computeLineStarts(text),
    };
  }
}

/** Trace steps name the other file of the instance (by the name it was read under) when their range lies there. */
function localise(answer: ListenerAnswer, data: PostfixFileData): ListenerAnswer {
  const local = traceForFile(answer, data.kind);
  if (data.siblingName === undefined) return local;
  const other = data.siblingName;
  return {
    ...local,
    trace: local.trace.map((s: TraceStep) => (s.file !== undefined ? { ...s, file: other } : s)),
  };
}

function explainPostfixFile(file: ParsedFile, question: ExplainQuestion): ListenerAnswer[] {
  const data = postfixDataOf(file);
  if (data === undefined) return [];
  const root = file.documents[0]?.root;
  const serverName = root !== undefined ? firstServerName(root) : 'postfix';
  return data.instance.listeners.map((l) => {
    const answer = evaluate(data.instance, l, question);
    return localise(
      {
        server: serverName,
        listener: l.name,
        outcome: answer.outcome,
        reply: answer.reply,
        reason: answer.reason,
        trace: answer.trace,
      },
      data,
    );
  });
}

function firstServerName(root: NonNullable<ParsedFile['documents'][number]['root']>): string {
  if (root.kind !== 'object') return 'postfix';
  const servers = root.entries.find((e) => e.key === 'servers')?.value;
  const first = servers?.kind === 'array' ? servers.items[0] : undefined;
  const name =
    first?.kind === 'object' ? first.entries.find((e) => e.key === 'name')?.value : undefined;
  return name?.kind === 'scalar' ? String(name.value) : 'postfix';
}

/** main.cf (and, as the first Postfix format, every Postfix name). */
export const postfixFormat: NativeFormat = {
  id: 'postfix',
  fileFormat: 'postfix-main',
  matchesPath: isPostfixPath,
  parse: safeParse,
  refine: refinePostfix,
  explain: explainPostfixFile,
};

/**
 * The same format under master.cf's file tag, so that the engine finds refine and explain for a
 * parsed master.cf (it looks formats up by `ParsedFile.format`).
 */
export const postfixMasterFormat: NativeFormat = {
  ...postfixFormat,
  fileFormat: 'postfix-master',
  matchesPath: (uri: string) => MASTER.test(baseName(uri)),
};

/**
 * U(L) of every listener. Services without `-o` overrides (and without a postscreen front end)
 * evaluate main.cf's parameters alike, so those with the same reach share one evaluation: a
 * master.cf of twenty plain services costs one U(L), not twenty.
 */
function unauthOfListeners(instance: PostfixInstance): UnauthRelay[] {
  const shared = new Map<string, UnauthRelay>();
  return instance.listeners.map((l) => {
    const plain = l.service.overrides.length === 0 && l.frontEnd === undefined;
    if (!plain) return unauthRelaySet(instance, l);
    const known = shared.get(l.reach);
    if (known !== undefined) return known;
    const u = unauthRelaySet(instance, l);
    shared.set(l.reach, u);
    return u;
  });
}
