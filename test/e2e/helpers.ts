// Helpers of the e2e suite: the fixture workspace, waiting without sleeps, and the expectations
// derived from the bundled CLI (`server/dist/cli.js --format json`) for the same files.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';

/** `publisher.name` from package.json. */
export const EXTENSION_ID = 'relay-lint.relay-lint';
export const SOURCE = 'relay-lint';
/** Generous: the machines running this have 2 cores and often other jobs on them. */
export const WAIT_MS = Number(process.env['E2E_WAIT_MS'] ?? 45_000);

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
  return ext;
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri;
}

export function fileUri(rel: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...rel.split('/'));
}

export function relayDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/**
 * Resolves once `pred` holds for the file's relay-lint diagnostics. Re-checked on every
 * `languages.onDidChangeDiagnostics` event for the file; rejects at the deadline with `what`
 * and the diagnostics seen last.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  pred: (d: vscode.Diagnostic[]) => boolean,
  what: string,
  ms = WAIT_MS,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const key = uri.toString();
    const check = (): void => {
      const d = relayDiagnostics(uri);
      if (!pred(d)) return;
      done();
      resolve(d);
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === key)) check();
    });
    const timer = setTimeout(() => {
      done();
      const seen = relayDiagnostics(uri).map(describeDiagnostic);
      reject(new Error(`${what}: not within ${ms} ms; last diagnostics:\n  ${seen.join('\n  ')}`));
    }, ms);
    const done = (): void => {
      clearTimeout(timer);
      sub.dispose();
    };
    check();
  });
}

/** Polls `probe` until it returns a value other than undefined, or rejects at the deadline. */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function open(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fileUri(rel));
  return vscode.window.showTextDocument(doc);
}

/**
 * Reverts the tests' dirty documents in the workspace, then closes all editors. (Closing a dirty
 * editor would open a "Save changes?" dialog that nobody answers.) Documents outside the
 * workspace are the workbench's own (it keeps the user settings.json open, sometimes dirty).
 */
export async function revertAndCloseAll(): Promise<void> {
  const root = workspaceRoot().toString() + '/';
  for (const doc of vscode.workspace.textDocuments) {
    if (!doc.isDirty || !doc.uri.toString().startsWith(root)) continue;
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

// ---- The CLI's view of the same files ---------------------------------------------------------

interface CliPosition {
  line: number;
  column: number;
}
interface CliRange {
  start: CliPosition;
  end: CliPosition;
}
export interface CliFix {
  title: string;
  safe: boolean;
  preferred: boolean;
  edits: { range: CliRange; newText: string }[];
}
export interface CliFinding {
  ruleId: string;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  message: string;
  range: CliRange;
  fixes: CliFix[];
  suppressed: boolean;
}
interface CliReport {
  files: { path: string; findings: CliFinding[] }[];
}

function cliPath(): string {
  return path.join(extension().extensionPath, 'server', 'dist', 'cli.js');
}

const execFileAsync = promisify(execFile);

/**
 * Runs the bundled CLI in the workspace with its .relay-lint.yaml; resolves to its stdout.
 * Asynchronous on purpose: a blocked extension host would also hold back the language client's
 * messages and skew what the tests observe.
 */
async function cli(args: readonly string[], cwd = workspaceRoot().fsPath): Promise<string> {
  const config = path.join(workspaceRoot().fsPath, '.relay-lint.yaml');
  // The extension host's own runtime runs it: Node in code-server, Electron as Node in VS Code.
  const { stdout } = await execFileAsync(
    process.execPath,
    [cliPath(), '--fail-on', 'never', '--no-color', '--config', config, ...args],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      timeout: WAIT_MS,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout;
}

/** The CLI's findings (`--format json`) for files of the workspace, per absolute path. */
export async function cliFindings(rels: readonly string[]): Promise<Map<string, CliFinding[]>> {
  const root = workspaceRoot().fsPath;
  const report = JSON.parse(await cli(['--format', 'json', ...rels])) as CliReport;
  const byPath = new Map<string, CliFinding[]>();
  for (const f of report.files) byPath.set(path.resolve(root, f.path), f.findings);
  return byPath;
}

/**
 * Runs `fn` on a copy of a workspace file holding `text`, in a scratch folder (the CLI gets the
 * workspace's .relay-lint.yaml through --config, so the copy is linted like the original).
 */
async function withScratchCopy<T>(
  rel: string,
  text: string,
  fn: (copy: string) => Promise<T>,
): Promise<T> {
  const scratch = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'relay-lint-e2e-'));
  try {
    const copy = path.join(scratch, path.basename(rel));
    await fs.promises.writeFile(copy, text);
    return await fn(copy);
  } finally {
    await fs.promises.rm(scratch, { recursive: true, force: true });
  }
}

/** The CLI's shown findings for `text` as the content of the workspace file `rel`. */
export function cliFindingsOfText(rel: string, text: string): Promise<CliFinding[]> {
  return withScratchCopy(rel, text, async (copy) => {
    const out = await cli(['--format', 'json', copy], path.dirname(copy));
    const findings = (JSON.parse(out) as CliReport).files[0]?.findings;
    assert.ok(findings, `the CLI reported on a copy of ${rel}`);
    return findings.filter((f) => !f.suppressed);
  });
}

/** What `relay-lint --fix` (safe fixes only) makes of `text` as the content of `rel`. */
export function cliFixedText(rel: string, text: string): Promise<string> {
  return withScratchCopy(rel, text, async (copy) => {
    await cli(['--fix', '--quiet', copy], path.dirname(copy));
    return fs.promises.readFile(copy, 'utf8');
  });
}

/** The shown (unsuppressed) findings the CLI reports for one workspace file. */
export async function cliFindingsOf(rel: string): Promise<CliFinding[]> {
  const findings = (await cliFindings([rel])).get(fileUri(rel).fsPath);
  assert.ok(findings, `the CLI reported on ${rel}`);
  return findings.filter((f) => !f.suppressed);
}

/** SPEC §2: critical/high → Error, medium → Warning, low → Information, info → Hint. */
export function severityOf(s: CliFinding['severity']): vscode.DiagnosticSeverity {
  switch (s) {
    case 'critical':
    case 'high':
      return vscode.DiagnosticSeverity.Error;
    case 'medium':
      return vscode.DiagnosticSeverity.Warning;
    case 'low':
      return vscode.DiagnosticSeverity.Information;
    case 'info':
      return vscode.DiagnosticSeverity.Hint;
  }
}

/** CLI ranges are 1-based lines and 1-based UTF-16 columns with an exclusive end. */
export function toVsRange(r: CliRange): vscode.Range {
  return new vscode.Range(r.start.line - 1, r.start.column - 1, r.end.line - 1, r.end.column - 1);
}

const SEVERITY_NAMES = ['Error', 'Warning', 'Information', 'Hint'];

function rangeText(r: vscode.Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

export function codeOf(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}

/** One line per diagnostic: what the comparison looks at (code, range, severity, message). */
export function describeDiagnostic(d: vscode.Diagnostic): string {
  return `${codeOf(d)} ${rangeText(d.range)} ${SEVERITY_NAMES[d.severity] ?? '?'} ${d.message}`;
}

export function describeFinding(f: CliFinding): string {
  const sev = SEVERITY_NAMES[severityOf(f.severity)] ?? '?';
  return `${f.ruleId} ${rangeText(toVsRange(f.range))} ${sev} ${f.message}`;
}

/** Sorted descriptions, so two lists compare as multisets. */
export function describeAll(d: readonly vscode.Diagnostic[]): string[] {
  return d.map(describeDiagnostic).sort();
}

export function describeAllFindings(f: readonly CliFinding[]): string[] {
  return f.map(describeFinding).sort();
}

/** Waits until the file's diagnostics are exactly the CLI's findings (code, range, severity, message). */
export async function expectDiagnosticsLikeCli(
  rel: string,
  findings: readonly CliFinding[],
): Promise<vscode.Diagnostic[]> {
  const want = describeAllFindings(findings);
  const uri = fileUri(rel);
  const got = await waitForDiagnostics(
    uri,
    (d) => JSON.stringify(describeAll(d)) === JSON.stringify(want),
    `${rel}: diagnostics equal to the CLI's ${want.length} finding(s)\n  ${want.join('\n  ')}`,
  );
  assert.deepEqual(describeAll(got), want);
  return got;
}

/** Applies a CLI fix's edits (1-based ranges over `text`) to `text`, last edit first. */
export function applyCliFix(text: string, fix: CliFix): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: CliPosition): number => (lineStarts[p.line - 1] ?? 0) + p.column - 1;
  const edits = fix.edits
    .map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), text: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
