import path from 'node:path';
import {
  CodeActionKind,
  type Connection,
  DidChangeConfigurationNotification,
  FileChangeType,
  type InitializeParams,
  type InitializeResult,
  NotificationType,
  type TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_FILE_NAME } from '../core/config/project-config.js';
import { errorMessage } from '../core/errors.js';
import { trustModel } from '../core/relay/analysis.js';
import type { Rule } from '../core/rule.js';
import { loadConfigFile } from '../host/config-discovery.js';
import {
  AUDIT_EXPORT_REQUEST,
  AUDIT_REQUEST,
  FIX_ALL_KIND,
  SETTINGS_SECTION,
  STATUS_NOTIFICATION,
  type StatusParams,
} from '../protocol/index.js';
import type { Auditor } from './audit.js';
import { ANSWER_ERROR, type Boundary } from './boundary.js';
import { codeActions } from './code-actions.js';
import { completionsAt } from './completion.js';
import { documentSync } from './document-sync.js';
import { hoverAt } from './hover-at.js';
import type { WorkerLintRunner } from './lint-runner.js';
import type { DocumentLinter } from './linting.js';
import * as check from './params.js';
import { uriToPath, type Workspace } from './project.js';
import type { Publisher } from './publisher.js';
import type { SettingsCache } from './settings.js';

/** Client capabilities the handlers depend on, set by `initialize`. */
export interface ClientFeatures {
  canPullSettings: boolean;
  canRegisterConfiguration: boolean;
  foldersChange: boolean;
  documentChanges: boolean;
}

/** Everything a handler may use; built once by startServer. */
export interface ServerContext {
  readonly connection: Connection;
  readonly boundary: Boundary;
  readonly documents: TextDocuments<TextDocument>;
  readonly workspace: Workspace;
  readonly settings: SettingsCache;
  readonly publisher: Publisher;
  readonly linter: DocumentLinter;
  readonly auditor: Auditor;
  readonly runner: WorkerLintRunner | undefined;
  readonly rules: readonly Rule[] | undefined;
  readonly client: ClientFeatures;
  readonly log: (message: string) => void;
}

export const StatusNotification = new NotificationType<StatusParams>(STATUS_NOTIFICATION);

/**
 * initialize / initialized / shutdown. The lifecycle itself (no request before `initialize`,
 * one `initialize`, nothing after `shutdown`) is kept by the transport's gate (transport.ts).
 */
export function registerLifecycle(ctx: ServerContext): void {
  const { connection, boundary } = ctx;
  connection.onInitialize((params) =>
    boundary.run<InitializeResult>('initialize', () => initialize(ctx, params), {
      capabilities: {},
    }),
  );
  connection.onInitialized(() => {
    void boundary.run(
      'initialized',
      () => {
        initialized(ctx);
      },
      undefined,
    );
  });
  connection.onShutdown(() => {
    void boundary.run('shutdown', () => ctx.runner?.dispose(), undefined);
  });
}

function initialize(ctx: ServerContext, params: InitializeParams): InitializeResult {
  const caps = params.capabilities;
  ctx.client.canPullSettings = caps.workspace?.configuration === true;
  ctx.client.canRegisterConfiguration =
    caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
  ctx.client.documentChanges = caps.workspace?.workspaceEdit?.documentChanges === true;
  // vscode-languageserver throws when asked for folder events the client never sends.
  ctx.client.foldersChange = caps.workspace?.workspaceFolders === true;
  ctx.workspace.setFolders(initialFolders(params));
  return {
    capabilities: {
      textDocumentSync: {
        openClose: true,
        change: TextDocumentSyncKind.Incremental,
        save: { includeText: false },
      },
      codeActionProvider: {
        codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND],
        resolveProvider: false,
      },
      hoverProvider: true,
      completionProvider: { resolveProvider: false },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'relay-lint' },
  };
}

function initialized(ctx: ServerContext): void {
  setImmediate(() => {
    ctx.linter.warmUp();
  });
  if (ctx.client.canRegisterConfiguration)
    void ctx.connection.client
      .register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION })
      .catch((e: unknown) => {
        ctx.log(`could not register for configuration changes: ${errorMessage(e)}`);
      });
  if (ctx.client.foldersChange)
    ctx.connection.workspace.onDidChangeWorkspaceFolders((event) => {
      void ctx.boundary.run(
        'didChangeWorkspaceFolders',
        () => {
          ctx.workspace.removeFolders(event.removed.map((f) => f.uri));
          ctx.workspace.addFolders(event.added.map((f) => f.uri));
          ctx.linter.relintAll();
        },
        undefined,
      );
    });
}

function initialFolders(params: InitializeParams): string[] {
  if (params.workspaceFolders !== undefined && params.workspaceFolders !== null)
    return params.workspaceFolders.map((f) => f.uri);
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- LSP clients without folders send only rootUri.
  const root = params.rootUri;
  return typeof root === 'string' ? [root] : [];
}

/** Open, change, save, close: the documents are kept by TextDocuments, behind the checks. */
export function registerDocuments(ctx: ServerContext): void {
  const { documents, linter, boundary } = ctx;
  const guard =
    <E>(name: string, handler: (event: E) => void) =>
    (event: E) => {
      void boundary.run(
        name,
        () => {
          handler(event);
        },
        undefined,
      );
    };
  documents.onDidOpen(
    guard('didOpen', (e) => {
      linter.opened(e.document.uri);
    }),
  );
  documents.onDidChangeContent(
    guard('didChange', (e) => {
      linter.changed(e.document.uri);
    }),
  );
  documents.onDidSave(
    guard('didSave', (e) => {
      linter.saved(e.document.uri);
    }),
  );
  documents.onDidClose(
    guard('didClose', (e) => {
      linter.closed(e.document.uri);
      // An audited file falls back to its diagnostics from disk.
      ctx.auditor.closed(e.document.uri);
    }),
  );
  documents.listen(documentSync(ctx.connection, boundary, (uri) => documents.get(uri), ctx.log));
}

/** Settings and `.relay-lint.yaml` changes. */
export function registerWorkspace(ctx: ServerContext): void {
  const { connection, boundary } = ctx;
  connection.onNotification(
    DidChangeConfigurationNotification.method,
    boundary.notification('didChangeConfiguration', check.anything, () => {
      ctx.settings.clear();
      ctx.linter.relintAll();
    }),
  );
  connection.onNotification(
    'workspace/didChangeWatchedFiles',
    boundary.notification('didChangeWatchedFiles', check.watchedFiles, (params) => {
      const configs = params.changes.filter((c) => {
        const file = uriToPath(c.uri);
        return file !== undefined && path.basename(file) === CONFIG_FILE_NAME;
      });
      if (configs.length === 0) return;
      ctx.workspace.invalidate();
      ctx.runner?.invalidate();
      for (const change of configs) {
        const file = uriToPath(change.uri);
        if (file === undefined) continue;
        if (change.type === FileChangeType.Deleted) ctx.publisher.clear(change.uri);
        else ctx.linter.publishConfig(loadConfigFile(file));
      }
      ctx.linter.relintAll();
    }),
  );
}

/**
 * Code actions, hover, completion. Registered by method name, not through connection.onHover
 * and the like, which read `params.workDoneToken` before any check (a TypeError on `null`).
 */
export function registerFeatures(ctx: ServerContext): void {
  const { connection, boundary, linter } = ctx;
  connection.onRequest(
    'textDocument/codeAction',
    boundary.request(
      'codeAction',
      check.codeAction,
      async (params) => {
        const snap = await linter.snapshot(params.textDocument.uri);
        if (snap === undefined) return [];
        return codeActions({
          params,
          text: snap.document.getText(),
          version: snap.document.version,
          state: snap.state,
          documentChanges: ctx.client.documentChanges,
          current: {
            project: snap.project,
            ...(ctx.rules !== undefined ? { rules: ctx.rules } : {}),
          },
        });
      },
      [],
    ),
  );
  connection.onRequest(
    'textDocument/hover',
    boundary.request(
      'hover',
      check.textDocumentPosition,
      async (params) => {
        const snap = await linter.snapshot(params.textDocument.uri);
        if (snap === undefined) return null;
        const trust = trustModel(snap.project.lintConfig.trustedNetworks ?? []);
        return hoverAt(snap.parsed, snap.document.offsetAt(params.position), trust);
      },
      null,
    ),
  );
  connection.onRequest(
    'textDocument/completion',
    boundary.request(
      'completion',
      check.textDocumentPosition,
      async (params) => {
        const snap = await linter.snapshot(params.textDocument.uri);
        if (snap === undefined) return [];
        const offset = snap.document.offsetAt(params.position);
        return completionsAt(snap.document.getText(), snap.parsed.format, offset);
      },
      [],
    ),
  );
}

/** The workspace audit and its export; a failed audit is answered as an error the client shows. */
export function registerAudit(ctx: ServerContext): void {
  const { connection, boundary, auditor } = ctx;
  connection.onRequest(
    AUDIT_REQUEST,
    boundary.request(
      'audit',
      check.audit,
      (params, token) =>
        auditor.audit(
          params,
          token,
          connection.window.attachWorkDoneProgress(params.workDoneToken),
        ),
      ANSWER_ERROR,
    ),
  );
  connection.onRequest(
    AUDIT_EXPORT_REQUEST,
    boundary.request('auditExport', check.auditExport, (params) => auditor.export(params), null),
  );
}
