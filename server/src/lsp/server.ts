import { type Connection, TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Rule } from '../core/rule.js';
import type { Concurrency } from '../host/pool.js';
import { findDocsDir, loadRuleDocs } from '../host/rule-docs.js';
import { SETTINGS_SECTION, type StatusParams } from '../protocol/index.js';
import { Auditor } from './audit.js';
import { Boundary } from './boundary.js';
import {
  type ClientFeatures,
  registerAudit,
  registerDocuments,
  registerFeatures,
  registerLifecycle,
  registerWorkspace,
  type ServerContext,
  StatusNotification,
} from './handlers.js';
import { WorkerLintRunner } from './lint-runner.js';
import { DocumentLinter } from './linting.js';
import { Workspace } from './project.js';
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

/**
 * Wires the handlers of the Relay Lint language server onto any connection (stdio, IPC or an
 * in-memory pair in tests; transport.ts adds the lifecycle gate and the framing checks). The
 * handlers live in handlers.ts, each behind the same Boundary: parameters checked, failures
 * logged in one line.
 */
export function startServer(connection: Connection, options: ServerOptions = {}): ServerHandle {
  const log = (message: string): void => {
    connection.console.error(message);
  };
  const client: ClientFeatures = {
    canPullSettings: false,
    canRegisterConfiguration: false,
    foldersChange: false,
    documentChanges: false,
  };
  const documents = new TextDocuments(TextDocument);
  const workspace = new Workspace();
  const settings = new SettingsCache((uri) =>
    client.canPullSettings
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
  const auditor = new Auditor({
    documents,
    workspace,
    publisher,
    ...(options.rules !== undefined ? { rules: options.rules } : {}),
    docs: () => loadRuleDocs(findDocsDir()),
    ...(options.auditConcurrency !== undefined ? { concurrency: options.auditConcurrency } : {}),
    log,
  });
  const ctx: ServerContext = {
    connection,
    boundary: new Boundary(log),
    documents,
    workspace,
    settings,
    publisher,
    linter,
    auditor,
    runner,
    rules: options.rules,
    client,
    log,
  };
  registerLifecycle(ctx);
  registerDocuments(ctx);
  registerWorkspace(ctx);
  registerFeatures(ctx);
  registerAudit(ctx);
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

function ignore(): void {
  // Intentionally empty.
}
