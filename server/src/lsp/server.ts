import path from 'node:path';
import {
  CodeActionKind,
  type Connection,
  DidChangeConfigurationNotification,
  FileChangeType,
  type InitializeParams,
  NotificationType,
  type InitializeResult,
  RequestType,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_FILE_NAME } from '../core/config/project-config.js';
import { formatOf } from '../core/parse/index.js';
import { trustModel } from '../core/relay/analysis.js';
import type { Rule } from '../core/rule.js';
import type { Concurrency } from '../host/pool.js';
import { loadConfigFile } from '../host/config-discovery.js';
import { findDocsDir, loadRuleDocs } from '../host/rule-docs.js';
import {
  AUDIT_EXPORT_REQUEST,
  AUDIT_REQUEST,
  type AuditExportParams,
  type AuditParams,
  type AuditResult,
  FIX_ALL_KIND,
  SETTINGS_SECTION,
  STATUS_NOTIFICATION,
  type StatusParams,
} from '../protocol/index.js';
import { Auditor } from './audit.js';
import { codeActions } from './code-actions.js';
import { completionsAt } from './completion.js';
import { hoverAt } from './hover.js';
import { WorkerLintRunner } from './lint-runner.js';
import { describeError, DocumentLinter } from './linting.js';
import { uriToPath, Workspace } from './project.js';
import { Publisher } from './publisher.js';
import type { Timers } from './scheduler.js';
import { SettingsCache } from './settings.js';

export interface ServerOptions {
  /** Delay between a keystroke and the lint it triggers (default 150 ms; tests use 0). */
  readonly debounceMs?: number;
  /** Timer functions; tests inject their own to decide when debounces fire. */
  readonly timers?: Timers;
  /** Rules to run (default: the whole catalog); tests pass a few, or one that throws. */
  readonly rules?: readonly Rule[];
  /** Worker threads for the workspace audit (default auto: from 200 files, one per CPU). */
  readonly auditConcurrency?: Concurrency;
  /**
   * Lint on a worker thread, giving up on a document after `timeoutMs` (main.ts: 10 s), so that
   * a huge or hostile file never freezes hover, completion or other files. Without it (tests),
   * lint on this thread.
   */
  readonly worker?: { readonly timeoutMs: number };
}

/** What a test (or an embedding host) can observe of a running server. */
export interface ServerHandle {
  stats(): {
    documents: number;
    states: number;
    scheduled: number;
    keys: number;
    settings: number;
    published: number;
  };
  status(): StatusParams;
}

const DEFAULT_DEBOUNCE_MS = 150;
const StatusNotification = new NotificationType<StatusParams>(STATUS_NOTIFICATION);
const AuditRequest = new RequestType<AuditParams, AuditResult, void>(AUDIT_REQUEST);

/**
 * Wires the handlers of the Relay Lint language server onto any connection (stdio, IPC or an
 * in-memory pair in tests). The work is done by the modules it wires; nothing else lives here.
 */
export function startServer(connection: Connection, options: ServerOptions = {}): ServerHandle {
  const documents = new TextDocuments(TextDocument);
  const workspace = new Workspace();
  const log = (message: string): void => {
    connection.console.error(message);
  };
  let canPullSettings = false;
  let canRegisterConfiguration = false;
  let foldersChange = false;
  let documentChanges = false;
  const settings = new SettingsCache((uri) =>
    canPullSettings
      ? connection.workspace
          .getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
          .then((v: unknown) => v)
      : Promise.resolve(undefined),
  );
  const publisher = new Publisher({
    // A send only fails when the client has gone away; there is nobody left to tell.
    diagnostics: (params) => {
      connection.sendDiagnostics(params).catch(ignore);
    },
    status: (params) => {
      connection.sendNotification(StatusNotification, params).catch(ignore);
    },
  });
  const runner =
    options.worker !== undefined ? new WorkerLintRunner(options.worker.timeoutMs, log) : undefined;
  const linter = new DocumentLinter({
    documents,
    settings,
    workspace,
    publisher,
    debounceMs: options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
    ...(options.timers !== undefined ? { timers: options.timers } : {}),
    ...(options.rules !== undefined ? { rules: options.rules } : {}),
    ...(runner !== undefined ? { runner } : {}),
    log,
  });
  const guard = guarded(log);
  const auditor = new Auditor({
    documents,
    workspace,
    publisher,
    ...(options.rules !== undefined ? { rules: options.rules } : {}),
    docs: () => loadRuleDocs(findDocsDir()),
    ...(options.auditConcurrency !== undefined ? { concurrency: options.auditConcurrency } : {}),
    log,
  });

  connection.onInitialize(
    guard(
      'initialize',
      (params: InitializeParams): InitializeResult => {
        const caps = params.capabilities;
        canPullSettings = caps.workspace?.configuration === true;
        canRegisterConfiguration =
          caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
        documentChanges = caps.workspace?.workspaceEdit?.documentChanges === true;
        // vscode-languageserver throws when asked for folder events the client never sends.
        foldersChange = caps.workspace?.workspaceFolders === true;
        workspace.setFolders(initialFolders(params));
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
      },
      { capabilities: {} },
    ),
  );

  connection.onInitialized(
    guard(
      'initialized',
      () => {
        setImmediate(() => {
          linter.warmUp();
        });
        if (canRegisterConfiguration)
          void connection.client
            .register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION })
            .catch((e: unknown) => {
              log(`could not register for configuration changes: ${describeError(e)}`);
            });
        if (foldersChange)
          connection.workspace.onDidChangeWorkspaceFolders((event) => {
            workspace.removeFolders(event.removed.map((f) => f.uri));
            workspace.addFolders(event.added.map((f) => f.uri));
            linter.relintAll();
          });
      },
      undefined,
    ),
  );

  const onEvent = <P>(name: string, handler: (params: P) => void) =>
    guard(name, handler, undefined);
  documents.onDidOpen(
    onEvent('didOpen', (e) => {
      linter.opened(e.document.uri);
    }),
  );
  documents.onDidChangeContent(
    onEvent('didChange', (e) => {
      linter.changed(e.document.uri);
    }),
  );
  documents.onDidSave(
    onEvent('didSave', (e) => {
      linter.saved(e.document.uri);
    }),
  );
  documents.onDidClose(
    onEvent('didClose', (e) => {
      linter.closed(e.document.uri);
      // An audited file falls back to its diagnostics from disk.
      auditor.closed(e.document.uri);
    }),
  );

  connection.onDidChangeConfiguration(
    guard(
      'didChangeConfiguration',
      () => {
        settings.clear();
        linter.relintAll();
      },
      undefined,
    ),
  );

  connection.onDidChangeWatchedFiles(
    guard(
      'didChangeWatchedFiles',
      (params) => {
        const configs = params.changes.filter((c) => {
          const file = uriToPath(c.uri);
          return file !== undefined && path.basename(file) === CONFIG_FILE_NAME;
        });
        if (configs.length === 0) return;
        workspace.invalidate();
        runner?.invalidate();
        for (const change of configs) {
          const file = uriToPath(change.uri);
          if (file === undefined) continue;
          if (change.type === FileChangeType.Deleted) publisher.clear(change.uri);
          else linter.publishConfig(loadConfigFile(file));
        }
        linter.relintAll();
      },
      undefined,
    ),
  );

  connection.onCodeAction(
    guard(
      'codeAction',
      async (params) => {
        const snap = await linter.snapshot(params.textDocument.uri);
        if (snap === undefined) return [];
        return codeActions({
          params,
          text: snap.document.getText(),
          version: snap.document.version,
          state: snap.state,
          documentChanges,
          current: {
            project: snap.project,
            format: snap.parsed.format,
            ...(options.rules !== undefined ? { rules: options.rules } : {}),
          },
        });
      },
      [],
    ),
  );

  connection.onHover(
    guard(
      'hover',
      async (params) => {
        const snap = await linter.snapshot(params.textDocument.uri);
        if (snap === undefined) return null;
        const trust = trustModel(snap.project.lintConfig.trustedNetworks ?? []);
        return hoverAt(snap.parsed, snap.document.offsetAt(params.position), trust);
      },
      null,
    ),
  );

  connection.onCompletion(
    guard(
      'completion',
      async (params) => {
        const snap = await linter.snapshot(params.textDocument.uri);
        if (snap === undefined) return [];
        const offset = snap.document.offsetAt(params.position);
        return completionsAt(snap.document.getText(), formatOf(snap.document.uri), offset);
      },
      [],
    ),
  );

  // The audit needs the cancellation token, which guard() drops; a failure is answered as an
  // error response, which the client shows.
  connection.onRequest(AuditRequest, (params, token) =>
    auditor.audit(params, token, connection.window.attachWorkDoneProgress(params.workDoneToken)),
  );
  connection.onRequest(
    AUDIT_EXPORT_REQUEST,
    guard('auditExport', (params: AuditExportParams) => auditor.export(params), null),
  );

  connection.onShutdown(() => {
    runner?.dispose();
  });

  documents.listen(connection);
  connection.listen();

  return {
    stats: () => ({
      documents: documents.keys().length,
      ...linter.stats,
      settings: settings.size,
      published: publisher.size,
    }),
    status: () => publisher.status(),
  };
}

/**
 * Wraps a handler so that whatever it throws (or rejects with) is logged and answered with
 * `fallback`: a malformed request or a bug in one feature never takes the server down.
 */
function guarded(log: (message: string) => void) {
  return <P, R>(name: string, handler: (params: P) => R | Promise<R>, fallback: R) =>
    (params: P): R | Promise<R> => {
      const fail = (error: unknown): R => {
        log(`${name} failed: ${describeError(error)}`);
        return fallback;
      };
      try {
        const result = handler(params);
        return result instanceof Promise ? result.catch(fail) : result;
      } catch (error) {
        return fail(error);
      }
    };
}

function ignore(): void {
  // Intentionally empty.
}

function initialFolders(params: InitializeParams): string[] {
  if (params.workspaceFolders !== undefined && params.workspaceFolders !== null)
    return params.workspaceFolders.map((f) => f.uri);
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- LSP clients without folders send only rootUri.
  const root = params.rootUri;
  return root !== null ? [root] : [];
}
