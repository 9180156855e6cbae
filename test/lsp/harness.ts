import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  type ClientCapabilities,
  type CodeAction,
  CodeActionRequest,
  type CompletionItem,
  CompletionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  type Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  type FileChangeType,
  type Hover,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  type InitializeResult,
  type Position,
  type ProtocolConnection,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  type Range,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';
import { STATUS_NOTIFICATION, type StatusParams } from '../../server/src/protocol/index.js';
import { type ServerHandle, type ServerOptions, startServer } from '../../server/src/lsp/server.js';
import type { Timers } from '../../server/src/lsp/scheduler.js';
import { createGuardedConnection } from '../../server/src/lsp/transport.js';

/** Timers that fire only when the test says so. */
export class ManualTimers implements Timers {
  private next = 0;
  private readonly queue = new Map<number, () => void>();

  set(callback: () => void): unknown {
    const id = ++this.next;
    this.queue.set(id, callback);
    return id;
  }

  clear(handle: unknown): void {
    this.queue.delete(handle as number);
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Fires every pending timer. */
  flush(): void {
    const callbacks = [...this.queue.values()];
    this.queue.clear();
    for (const c of callbacks) c();
  }
}

export interface TestClientOptions extends ServerOptions {
  /** Answers `workspace/configuration` (the `relayLint` section) per scope URI. */
  readonly settings?: (scopeUri: string | undefined) => unknown;
  readonly workspaceFolders?: readonly string[];
  /** Overrides of the client capabilities (defaults: what VS Code declares for our needs). */
  readonly capabilities?: ClientCapabilities;
}

interface Waiter<T> {
  readonly match: (value: T) => boolean;
  readonly resolve: (value: T) => void;
}

export interface TestClient {
  readonly connection: ProtocolConnection;
  readonly server: ServerHandle;
  initializeResult: InitializeResult;
  /** Every publish received, in order. */
  readonly published: PublishDiagnosticsParams[];
  readonly statuses: StatusParams[];
  readonly registrations: string[];
  configurationRequests: number;
  settings: (scopeUri: string | undefined) => unknown;
  /** Runs before the client answers a `workspace/configuration` request. */
  beforeConfigurationAnswer: (() => Promise<void> | void) | undefined;
  open(uri: string, text: string, version?: number, languageId?: string): void;
  /** Replaces the whole text (as one incremental change over the full range). */
  change(uri: string, version: number, text: string): void;
  changeIncremental(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void;
  save(uri: string): void;
  close(uri: string): void;
  configurationChanged(): void;
  watchedFileChanged(uri: string, type: FileChangeType): void;
  /** The next publish for `uri` that `match` accepts (register before triggering it). */
  nextDiagnostics(
    uri: string,
    match?: (p: PublishDiagnosticsParams) => boolean,
  ): Promise<PublishDiagnosticsParams>;
  nextStatus(match?: (s: StatusParams) => boolean): Promise<StatusParams>;
  codeActions(
    uri: string,
    range: Range,
    diagnostics: Diagnostic[],
    only?: string[],
  ): Promise<CodeAction[]>;
  hover(uri: string, position: Position): Promise<Hover | null>;
  completion(uri: string, position: Position): Promise<CompletionItem[]>;
  /** A round trip: every message sent before it has been handled by the server. */
  sync(): Promise<void>;
  dispose(): Promise<void>;
}

export const VSCODE_LIKE_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceFolders: true,
    workspaceEdit: { documentChanges: true },
  },
  textDocument: {
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: true,
      codeDescriptionSupport: true,
      dataSupport: true,
      tagSupport: { valueSet: [1, 2] },
    },
    codeAction: {
      codeActionLiteralSupport: {
        codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] },
      },
      isPreferredSupport: true,
      dataSupport: true,
    },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'] } },
  },
};

/** The real server (`startServer`) and a protocol client over an in-memory pipe. */
export async function startTestClient(options: TestClientOptions = {}): Promise<TestClient> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  // The same lifecycle gate as the real transport (main.ts).
  const server = startServer(
    createGuardedConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient))
      .connection,
    { debounceMs: 0, ...options },
  );
  const connection = createProtocolConnection(
    new StreamMessageReader(toClient),
    new StreamMessageWriter(toServer),
  );
  const diagnosticWaiters: (Waiter<PublishDiagnosticsParams> & { uri: string })[] = [];
  const statusWaiters: Waiter<StatusParams>[] = [];
  const published: PublishDiagnosticsParams[] = [];
  const statuses: StatusParams[] = [];
  const registrations: string[] = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    published.push(params);
    for (const w of [...diagnosticWaiters]) {
      if (w.uri !== params.uri || !w.match(params)) continue;
      diagnosticWaiters.splice(diagnosticWaiters.indexOf(w), 1);
      w.resolve(params);
    }
  });
  connection.onNotification(STATUS_NOTIFICATION, (params: StatusParams) => {
    statuses.push(params);
    for (const w of [...statusWaiters]) {
      if (!w.match(params)) continue;
      statusWaiters.splice(statusWaiters.indexOf(w), 1);
      w.resolve(params);
    }
  });
  connection.onRequest(RegistrationRequest.type, (params) => {
    registrations.push(...params.registrations.map((r) => r.method));
  });
  // The server logs through window/logMessage; keep test output quiet.
  connection.onNotification('window/logMessage', () => undefined);
  connection.listen();

  const versions = new Map<string, number>();
  let syncCounter = 0;
  const client: TestClient = {
    connection,
    server,
    initializeResult: { capabilities: {} },
    published,
    statuses,
    registrations,
    configurationRequests: 0,
    settings: options.settings ?? (() => ({})),
    beforeConfigurationAnswer: undefined,
    open(uri, text, version = 1, languageId) {
      versions.set(uri, version);
      void connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: {
          uri,
          languageId: languageId ?? (uri.endsWith('.json') ? 'json' : 'yaml'),
          version,
          text,
        },
      });
    },
    change(uri, version, text) {
      void connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ text }],
      });
    },
    changeIncremental(uri, version, contentChanges) {
      void connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges,
      });
    },
    save(uri) {
      void connection.sendNotification(DidSaveTextDocumentNotification.type, {
        textDocument: { uri },
      });
    },
    close(uri) {
      void connection.sendNotification(DidCloseTextDocumentNotification.type, {
        textDocument: { uri },
      });
    },
    configurationChanged() {
      void connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    },
    watchedFileChanged(uri, type) {
      void connection.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri, type }],
      });
    },
    nextDiagnostics(uri, match = () => true) {
      return new Promise((resolve) => diagnosticWaiters.push({ uri, match, resolve }));
    },
    nextStatus(match = () => true) {
      return new Promise((resolve) => statusWaiters.push({ match, resolve }));
    },
    codeActions(uri, range, diagnostics, only) {
      return connection
        .sendRequest(CodeActionRequest.type, {
          textDocument: { uri },
          range,
          context: { diagnostics, ...(only !== undefined ? { only } : {}) },
        })
        .then((r) =>
          (r ?? []).filter(
            (a): a is CodeAction =>
              'title' in a && !('command' in a && typeof a.command === 'string'),
          ),
        );
    },
    hover(uri, position) {
      return connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
    },
    completion(uri, position) {
      return connection
        .sendRequest(CompletionRequest.type, { textDocument: { uri }, position })
        .then((r) => (r === null ? [] : Array.isArray(r) ? r : r.items));
    },
    async sync() {
      await connection.sendRequest(HoverRequest.type, {
        textDocument: { uri: `file:///relay-lint-sync-${++syncCounter}.txt` },
        position: { line: 0, character: 0 },
      });
    },
    async dispose() {
      // Let the server finish what it started (registrations, publishes) before the pipe closes.
      // `shutdown` is a round trip, and the server stops its lint worker (a thread that would
      // keep the test process alive).
      await connection.sendRequest(ShutdownRequest.type).catch(() => undefined);
      // The pipes are left open (they hold no handle): destroying them would fail the writes
      // still queued on either side, such as answers to the server's registrations.
      connection.dispose();
    },
  };
  connection.onRequest(ConfigurationRequest.type, async (params) => {
    client.configurationRequests++;
    await client.beforeConfigurationAnswer?.();
    return params.items.map((item) => client.settings(item.scopeUri));
  });
  const result = await connection.sendRequest(InitializeRequest.type, {
    processId: null,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- InitializeParams still requires rootUri.
    rootUri: null,
    capabilities: options.capabilities ?? VSCODE_LIKE_CAPABILITIES,
    workspaceFolders: (options.workspaceFolders ?? []).map((uri, i) => ({
      uri,
      name: `folder${i}`,
    })),
  });
  void connection.sendNotification(InitializedNotification.type, {});
  client.initializeResult = result;
  return client;
}

/** A temporary workspace folder on disk, with helpers to write files into it. */
export interface TempWorkspace {
  readonly dir: string;
  readonly uri: string;
  write(rel: string, text: string): string;
  uriOf(rel: string): string;
  dispose(): void;
}

export function tempWorkspace(): TempWorkspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relay-lint-lsp-'));
  return {
    dir,
    uri: pathToFileURL(dir).href,
    write(rel, text) {
      const file = path.join(dir, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      return pathToFileURL(file).href;
    },
    uriOf(rel) {
      return pathToFileURL(path.join(dir, rel)).href;
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Offset of the `n`-th occurrence of `needle` → LSP position (for tests written against text). */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 0): Position {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" not found`);
  }
  const offset = index + delta;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** A diagnostic message as text (LSP 3.18 allows Markup content there). */
export function messageOf(d: { message: string | { value: string } }): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}
