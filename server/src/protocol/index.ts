/**
 * The contract between the VS Code client and the language server: ids, settings and the custom
 * messages of Relay Lint. It is the only server code the client may import, so it must stay
 * free of engine and server code (ESLint enforces this).
 *
 * Custom messages are declared as a method name plus parameter and result types, with no
 * runtime import: the client (vscode-languageclient) and the server (vscode-languageserver)
 * bundle different vscode-jsonrpc versions, whose `NotificationType` classes do not mix. Each
 * side builds its typed message object from these with its own library.
 */

/** Client id: VS Code reads `relayLint.trace.server` from it. */
export const CLIENT_ID = 'relayLint';
export const CLIENT_NAME = 'Relay Lint';
/** `Diagnostic.source` of every finding. */
export const DIAGNOSTIC_SOURCE = 'relay-lint';
/** The settings section the server pulls with `workspace/configuration`. */
export const SETTINGS_SECTION = 'relayLint';
/** Code action kind of "apply every safe fix" (a sub-kind of `source.fixAll`). */
export const FIX_ALL_KIND = 'source.fixAll.relayLint';
/** The project configuration file, watched by the client. */
export const CONFIG_FILE_GLOB = '**/.relay-lint.yaml';

export const COMMANDS = {
  restart: 'relayLint.restart',
  showOutput: 'relayLint.showOutput',
  auditWorkspace: 'relayLint.auditWorkspace',
} as const;

/**
 * Client-side command (not in the palette) behind the "Copy command" code action of a finding
 * with a `remediation`: copies its one argument, the shell command, to the clipboard.
 */
export const COPY_REMEDIATION_COMMAND = 'relayLint.copyRemediation';

/**
 * Language ids the extension gives Postfix files that no other extension claims (it contributes
 * the ids without file names, so it never takes a file from a Postfix syntax extension).
 */
export const POSTFIX_LANGUAGES = { main: 'postfix-main-cf', master: 'postfix-master-cf' } as const;

export type RunMode = 'onType' | 'onSave';
export type TraceSetting = 'off' | 'messages' | 'verbose';

/**
 * Editor settings (`relayLint.*`). They control the editing experience only: what counts as a
 * finding lives in `.relay-lint.yaml`, so the editor and the CLI agree.
 */
export interface Settings {
  readonly enable: boolean;
  readonly run: RunMode;
  readonly trace: { readonly server: TraceSetting };
}

export const DEFAULT_SETTINGS: Settings = {
  enable: true,
  run: 'onType',
  trace: { server: 'off' },
};

export type SeverityName = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type SeverityCounts = Readonly<Record<SeverityName, number>>;

export interface StatusParams {
  /** Shown (unsuppressed) findings per severity, over every file the server publishes for. */
  readonly counts: SeverityCounts;
  /** Files with at least one shown finding. */
  readonly files: number;
}

/** `relayLint/status` (server → client): sent whenever the totals of published findings change. */
export const STATUS_NOTIFICATION = 'relayLint/status';

/**
 * `relayLint/audit` (client → server, `AuditParams` → `AuditResult`): the workspace audit of
 * SPEC §6. The server finds every relay configuration in the workspace folders (the
 * configuration's `files` and `ignore`, skipping node_modules and .git, never following a link
 * out of a folder), lints it, and publishes diagnostics for the files that are not open. It
 * reports work-done progress when the request carries a `workDoneToken`, and stops at
 * `$/cancelRequest`, keeping what it found. Handler: `server/src/lsp/audit.ts`.
 */
export interface AuditParams {
  /** Globs relative to each folder of files and folders to skip (VS Code's `files.exclude`). */
  readonly exclude?: readonly string[];
  /** Folder URIs to audit; default: every workspace folder. */
  readonly folders?: readonly string[];
  readonly workDoneToken?: string | number;
}

export interface AuditResult {
  /** Relay configurations found. */
  readonly found: number;
  /** Files linted (fewer than `found` when cancelled). */
  readonly files: number;
  /** Shown (unsuppressed) findings per severity. */
  readonly counts: SeverityCounts;
  readonly suppressed: number;
  /** Listeners that are open relays (RLY001 findings, unsuppressed). */
  readonly openRelays: number;
  /** True when the audit was cancelled before every file was linted. */
  readonly cancelled: boolean;
  /** The audit report as Markdown (counts, open relays, findings per file). */
  readonly report: string;
}

export const AUDIT_REQUEST = 'relayLint/audit';

/**
 * `relayLint/auditExport` (client → server, `AuditExportParams` → `AuditExportResult | null`):
 * the last audit's results as a report to save; null before any audit.
 */
export interface AuditExportParams {
  readonly format: 'markdown' | 'sarif';
}

export interface AuditExportResult {
  readonly text: string;
}

export const AUDIT_EXPORT_REQUEST = 'relayLint/auditExport';
