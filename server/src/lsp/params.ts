import type {
  CodeActionParams,
  CompletionParams,
  DidChangeTextDocumentParams,
  DidChangeWatchedFilesParams,
  DidCloseTextDocumentParams,
  DidOpenTextDocumentParams,
  DidSaveTextDocumentParams,
  HoverParams,
  Position,
  Range,
} from 'vscode-languageserver';
import type { AuditExportParams, AuditParams } from '../protocol/index.js';

/**
 * Checks of request and notification parameters at the server's boundary: each returns the
 * parameters, typed, or a short reason (`textDocument.uri must be a string`) that the boundary
 * answers with InvalidParams and logs in one line. Handlers behind it read their parameters
 * without re-checking: a malformed request never reaches them, so never becomes a TypeError.
 */
export type Check<P> = (params: unknown) => P | Invalid;

export class Invalid {
  constructor(readonly reason: string) {}
}

type Obj = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Reasons are built up from the innermost failure outward: `position.line must be …`. */
function object(v: unknown, what: string): Obj | Invalid {
  return isObject(v) ? v : new Invalid(`${what} must be an object`);
}

function string(v: unknown, what: string): string | Invalid {
  return typeof v === 'string' ? v : new Invalid(`${what} must be a string`);
}

export function position(v: unknown, what = 'position'): Position | Invalid {
  const p = object(v, what);
  if (p instanceof Invalid) return p;
  if (!isUint(p['line'])) return new Invalid(`${what}.line must be a non-negative integer`);
  if (!isUint(p['character']))
    return new Invalid(`${what}.character must be a non-negative integer`);
  return { line: p['line'], character: p['character'] };
}

export function range(v: unknown, what = 'range'): Range | Invalid {
  const r = object(v, what);
  if (r instanceof Invalid) return r;
  const start = position(r['start'], `${what}.start`);
  if (start instanceof Invalid) return start;
  const end = position(r['end'], `${what}.end`);
  if (end instanceof Invalid) return end;
  if (end.line < start.line || (end.line === start.line && end.character < start.character))
    return new Invalid(`${what} ends before it starts`);
  return { start, end };
}

function textDocument(v: unknown): { uri: string } | Invalid {
  const doc = object(v, 'textDocument');
  if (doc instanceof Invalid) return doc;
  const uri = string(doc['uri'], 'textDocument.uri');
  return uri instanceof Invalid ? uri : { uri };
}

function withParams<P>(params: unknown, build: (p: Obj) => P | Invalid): P | Invalid {
  const p = object(params, 'params');
  return p instanceof Invalid ? p : build(p);
}

/** Hover and completion: a document and a position in it. */
export const textDocumentPosition: Check<HoverParams & CompletionParams> = (params) =>
  withParams(params, (p) => {
    const doc = textDocument(p['textDocument']);
    if (doc instanceof Invalid) return doc;
    const pos = position(p['position']);
    if (pos instanceof Invalid) return pos;
    return { textDocument: doc, position: pos };
  });

export const codeAction: Check<CodeActionParams> = (params) =>
  withParams(params, (p) => {
    const doc = textDocument(p['textDocument']);
    if (doc instanceof Invalid) return doc;
    const r = range(p['range']);
    if (r instanceof Invalid) return r;
    const context = object(p['context'], 'context');
    if (context instanceof Invalid) return context;
    const diagnostics = context['diagnostics'];
    if (!Array.isArray(diagnostics)) return new Invalid('context.diagnostics must be a list');
    for (const [i, d] of diagnostics.entries()) {
      const what = `context.diagnostics[${i}]`;
      const diagnostic = object(d, what);
      if (diagnostic instanceof Invalid) return diagnostic;
      const dr = range(diagnostic['range'], `${what}.range`);
      if (dr instanceof Invalid) return dr;
      if (typeof diagnostic['message'] !== 'string' && !isObject(diagnostic['message']))
        return new Invalid(`${what}.message must be a string`);
    }
    const only = context['only'];
    if (only !== undefined && (!Array.isArray(only) || !only.every((k) => typeof k === 'string')))
      return new Invalid('context.only must be a list of strings');
    return params as CodeActionParams;
  });

export const didOpen: Check<DidOpenTextDocumentParams> = (params) =>
  withParams(params, (p) => {
    const doc = object(p['textDocument'], 'textDocument');
    if (doc instanceof Invalid) return doc;
    for (const key of ['uri', 'languageId', 'text']) {
      const s = string(doc[key], `textDocument.${key}`);
      if (s instanceof Invalid) return s;
    }
    if (!Number.isSafeInteger(doc['version']))
      return new Invalid('textDocument.version must be an integer');
    return params as DidOpenTextDocumentParams;
  });

/** The shape of a change; whether its ranges fit the document is the documents' business. */
export const didChange: Check<DidChangeTextDocumentParams> = (params) =>
  withParams(params, (p) => {
    const doc = object(p['textDocument'], 'textDocument');
    if (doc instanceof Invalid) return doc;
    const uri = string(doc['uri'], 'textDocument.uri');
    if (uri instanceof Invalid) return uri;
    if (!Number.isSafeInteger(doc['version']))
      return new Invalid('textDocument.version must be an integer');
    const changes = p['contentChanges'];
    if (!Array.isArray(changes)) return new Invalid('contentChanges must be a list');
    for (const [i, c] of changes.entries()) {
      const change = object(c, `contentChanges[${i}]`);
      if (change instanceof Invalid) return change;
      const text = string(change['text'], `contentChanges[${i}].text`);
      if (text instanceof Invalid) return text;
      if (change['range'] !== undefined) {
        const r = range(change['range'], `contentChanges[${i}].range`);
        if (r instanceof Invalid) return r;
      }
    }
    return params as DidChangeTextDocumentParams;
  });

/** didClose and didSave: a document. */
export const documentOnly: Check<DidCloseTextDocumentParams & DidSaveTextDocumentParams> = (
  params,
) =>
  withParams(params, (p) => {
    const doc = textDocument(p['textDocument']);
    return doc instanceof Invalid ? doc : { textDocument: doc };
  });

export const watchedFiles: Check<DidChangeWatchedFilesParams> = (params) =>
  withParams(params, (p) => {
    const changes = p['changes'];
    if (!Array.isArray(changes)) return new Invalid('changes must be a list');
    for (const [i, c] of changes.entries()) {
      const change = object(c, `changes[${i}]`);
      if (change instanceof Invalid) return change;
      const uri = string(change['uri'], `changes[${i}].uri`);
      if (uri instanceof Invalid) return uri;
      if (change['type'] !== 1 && change['type'] !== 2 && change['type'] !== 3)
        return new Invalid(`changes[${i}].type must be 1, 2 or 3`);
    }
    return params as DidChangeWatchedFilesParams;
  });

/** Any parameters at all (didChangeConfiguration, initialized): nothing of them is read. */
export const anything: Check<unknown> = (params) => params;

function stringList(v: unknown, what: string): Invalid | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) && v.every((x) => typeof x === 'string')
    ? undefined
    : new Invalid(`${what} must be a list of strings`);
}

/** relayLint/audit: the parameters may be left out entirely. */
export const audit: Check<AuditParams> = (params) => {
  if (params === undefined || params === null) return {};
  return withParams(params, (p) => {
    const bad = stringList(p['exclude'], 'exclude') ?? stringList(p['folders'], 'folders');
    if (bad !== undefined) return bad;
    const token = p['workDoneToken'];
    if (token !== undefined && typeof token !== 'string' && typeof token !== 'number')
      return new Invalid('workDoneToken must be a string or a number');
    return params;
  });
};

export const auditExport: Check<AuditExportParams> = (params) =>
  withParams(params, (p) =>
    p['format'] === 'markdown' || p['format'] === 'sarif'
      ? { format: p['format'] }
      : new Invalid('format must be "markdown" or "sarif"'),
  );
