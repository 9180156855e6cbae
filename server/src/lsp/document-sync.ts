import type {
  Connection,
  DidChangeTextDocumentParams,
  DidOpenTextDocumentParams,
  Disposable,
  NotificationHandler,
  RequestHandler,
  TextDocuments,
  TextEdit,
  WillSaveTextDocumentParams,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Boundary } from './boundary.js';

/** What `TextDocuments.listen` registers its handlers on. */
type TextDocumentConnection = Parameters<TextDocuments<TextDocument>['listen']>[0];
import * as check from './params.js';

/**
 * What `TextDocuments.listen` registers its handlers on, put between it and the connection: each
 * notification is checked at the boundary, and a `didChange` that would corrupt the document is
 * dropped with one log line instead of being applied: a version not newer than the one held
 * (the editor's messages arrive in order, so an older one is stale or forged), or a range
 * outside the text it applies to (vscode-languageserver-textdocument would clamp it silently and
 * the document would no longer be what the editor shows).
 */
export function documentSync(
  connection: Connection,
  boundary: Boundary,
  current: (uri: string) => TextDocument | undefined,
  log: (message: string) => void,
): TextDocumentConnection {
  const on = <P>(
    method: string,
    name: string,
    validate: check.Check<P>,
    handler: (params: P) => unknown,
  ): Disposable =>
    connection.onNotification(
      method,
      boundary.notification(name, validate, (p) => {
        // TextDocuments' handlers are synchronous; a promise would be a bug of theirs.
        void handler(p);
      }),
    );
  return {
    onDidOpenTextDocument: (h: NotificationHandler<DidOpenTextDocumentParams>) =>
      on('textDocument/didOpen', 'didOpen', check.didOpen, h),
    onDidChangeTextDocument: (h) =>
      on('textDocument/didChange', 'didChange', check.didChange, (p) => {
        const refusal = changeRefusal(p, current(p.textDocument.uri));
        if (refusal !== undefined) log(`didChange of ${p.textDocument.uri} ignored: ${refusal}`);
        else void h(p);
      }),
    onDidCloseTextDocument: (h) => on('textDocument/didClose', 'didClose', check.documentOnly, h),
    onDidSaveTextDocument: (h) => on('textDocument/didSave', 'didSave', check.documentOnly, h),
    onWillSaveTextDocument: (h) => on('textDocument/willSave', 'willSave', willSave, h),
    onWillSaveTextDocumentWaitUntil: (
      h: RequestHandler<WillSaveTextDocumentParams, TextEdit[] | undefined | null, void>,
    ) =>
      connection.onRequest(
        'textDocument/willSaveWaitUntil',
        boundary.request(
          'willSaveWaitUntil',
          willSave,
          (p, token) => h(p, token) as TextEdit[] | undefined | null,
          null,
        ),
      ),
  };
}

const willSave: check.Check<WillSaveTextDocumentParams> = (params) => {
  const doc = check.documentOnly(params);
  if (doc instanceof check.Invalid) return doc;
  const reason = (params as { reason?: unknown }).reason;
  return reason === 1 || reason === 2 || reason === 3
    ? { textDocument: doc.textDocument, reason }
    : new check.Invalid('reason must be 1, 2 or 3');
};

/** Why a change must not be applied to `doc`, or undefined when it may. */
export function changeRefusal(
  params: DidChangeTextDocumentParams,
  doc: TextDocument | undefined,
): string | undefined {
  // A change to a document that is not open changes nothing (TextDocuments ignores it).
  if (doc === undefined) return undefined;
  const version = params.textDocument.version;
  if (version <= doc.version)
    return `version ${version} is not newer than version ${doc.version}, which is open`;
  let lines = doc.lineCount;
  for (const [i, change] of params.contentChanges.entries()) {
    if (!('range' in change)) {
      lines = lineBreaks(change.text) + 1;
      continue;
    }
    const { start, end } = change.range;
    if (end.line >= lines)
      return `change ${i} reaches line ${end.line + 1}, past the end of the document (${lines} lines)`;
    lines += lineBreaks(change.text) - (end.line - start.line);
  }
  return undefined;
}

function lineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}
