import { randomUUID } from 'node:crypto';
import {
  type CancellationToken,
  commands,
  ProgressLocation,
  Uri,
  window,
  workspace,
  type WorkspaceFolder,
} from 'vscode';
import {
  type LanguageClient,
  RequestType,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  type WorkDoneProgressReport,
} from 'vscode-languageclient/node';
import {
  AUDIT_EXPORT_REQUEST,
  AUDIT_REQUEST,
  type AuditExportParams,
  type AuditExportResult,
  type AuditParams,
  type AuditResult,
} from '../../../server/src/protocol/index.js';

const AuditRequest = new RequestType<AuditParams, AuditResult, void>(AUDIT_REQUEST);
const AuditExportRequest = new RequestType<AuditExportParams, AuditExportResult | null, void>(
  AUDIT_EXPORT_REQUEST,
);

const SAVE_MARKDOWN = 'Save report as Markdown';
const SAVE_SARIF = 'Save report as SARIF';

/**
 * "Relay Lint: Audit Workspace": the server lints every relay configuration of the workspace
 * folders (its diagnostics fill the Problems panel), with progress and cancellation here; then
 * the Markdown report opens in a preview, and can be saved as Markdown or SARIF.
 */
export async function auditWorkspace(client: LanguageClient): Promise<void> {
  const folders = workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void window.showInformationMessage(
      'Relay Lint: open a folder to audit its relay configuration.',
    );
    return;
  }
  const result = await window.withProgress(
    {
      location: ProgressLocation.Notification,
      title: 'Relay Lint: auditing the workspace',
      cancellable: true,
    },
    (progress, cancel) =>
      runAudit(client, folders, cancel, (percentage, message) => {
        progress.report({ increment: percentage, ...(message !== undefined ? { message } : {}) });
      }),
  );
  const doc = await workspace.openTextDocument({ language: 'markdown', content: result.report });
  try {
    await commands.executeCommand('markdown.showPreview', doc.uri);
  } catch {
    // Without the built-in Markdown extension, the report opens as text.
    await window.showTextDocument(doc, { preview: true });
  }
  const choice = await window.showInformationMessage(summary(result), SAVE_MARKDOWN, SAVE_SARIF);
  if (choice === SAVE_MARKDOWN) await saveReport(client, folders, 'markdown');
  else if (choice === SAVE_SARIF) await saveReport(client, folders, 'sarif');
}

async function runAudit(
  client: LanguageClient,
  folders: readonly WorkspaceFolder[],
  cancel: CancellationToken,
  report: (increment: number, message: string | undefined) => void,
): Promise<AuditResult> {
  const token = randomUUID();
  let shown = 0;
  const onProgress = (value: WorkDoneProgressBegin | WorkDoneProgressReport): void => {
    const pct = value.percentage ?? shown;
    report(Math.max(pct - shown, 0), value.message);
    shown = Math.max(pct, shown);
  };
  const listener = client.onProgress(WorkDoneProgress.type, token, (value) => {
    if (value.kind !== 'end') onProgress(value);
  });
  try {
    return await client.sendRequest(
      AuditRequest,
      {
        folders: folders.map((f) => f.uri.toString()),
        exclude: excludes(folders),
        workDoneToken: token,
      },
      cancel,
    );
  } finally {
    listener.dispose();
  }
}

/** VS Code's `files.exclude` globs that are on (`true`), over every folder. */
function excludes(folders: readonly WorkspaceFolder[]): string[] {
  const out = new Set<string>();
  for (const folder of folders) {
    const setting =
      workspace.getConfiguration('files', folder.uri).get<Record<string, unknown>>('exclude') ?? {};
    for (const [glob, on] of Object.entries(setting)) if (on === true) out.add(glob);
  }
  return [...out].sort();
}

function summary(r: AuditResult): string {
  const found = Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const head = r.cancelled
    ? `Relay Lint: audit cancelled after ${r.files} of ${r.found} files`
    : `Relay Lint: audited ${r.files} ${r.files === 1 ? 'file' : 'files'}`;
  const relays =
    r.openRelays > 0 ? `; ${r.openRelays} open ${r.openRelays === 1 ? 'relay' : 'relays'}` : '';
  return `${head}: ${found === '' ? 'no findings' : found}${relays}.`;
}

async function saveReport(
  client: LanguageClient,
  folders: readonly WorkspaceFolder[],
  format: AuditExportParams['format'],
): Promise<void> {
  const exported = await client.sendRequest(AuditExportRequest, { format });
  if (exported === null) return;
  const ext = format === 'sarif' ? 'sarif' : 'md';
  const base = folders[0]?.uri;
  const target = await window.showSaveDialog({
    ...(base !== undefined ? { defaultUri: Uri.joinPath(base, `relay-lint-audit.${ext}`) } : {}),
    filters: format === 'sarif' ? { SARIF: ['sarif', 'json'] } : { Markdown: ['md'] },
  });
  if (target === undefined) return;
  await workspace.fs.writeFile(target, new TextEncoder().encode(exported.text));
  void window.showInformationMessage(
    `Relay Lint: report saved to ${workspace.asRelativePath(target)}.`,
  );
}
