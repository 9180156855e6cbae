import {
  type CodeAction,
  CodeActionKind,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { applyEdits } from '../core/fix/apply.js';
import { fixAll, safeEdits } from '../core/fix/fix-all.js';
import type { Finding, Fix, TextEdit } from '../core/model.js';
import { REASON_PLACEHOLDER } from '../core/suppressions.js';
import { computeLineStarts, lineOf } from '../core/text.js';
import { COPY_REMEDIATION_COMMAND, DIAGNOSTIC_SOURCE, FIX_ALL_KIND } from '../protocol/index.js';
import { parseFindingRef, ruleDocUrl, toRange } from './diagnostics.js';
import type { LintState } from './lint-state.js';
import { sourceInput } from './project.js';

export interface CodeActionInput {
  readonly params: CodeActionParams;
  /** The document as it is now. */
  readonly text: string;
  readonly version: number;
  /** The lint of the current version (undefined when none is cached for it). */
  readonly state: LintState | undefined;
  /** Whether the client takes versioned `documentChanges` (else plain `changes`). */
  readonly documentChanges: boolean;
  /**
   * What fix-all needs when the cached lint is older than the text (a save right after typing):
   * the document's project and the rules the server runs.
   */
  readonly current?: {
    readonly project: LintState['project'];
    readonly rules?: LintState['rules'];
  };
}

/** Rules whose findings cannot sensibly be suppressed by a directive. */
const NOT_SUPPRESSIBLE = new Set(['RLY097', 'RLY098', 'RLY099', 'internal']);

/** Whether a requested `only` list asks for actions of `kind` (kinds are hierarchical). */
export function wants(only: readonly string[] | undefined, kind: string): boolean {
  if (only === undefined) return kind === CodeActionKind.QuickFix;
  return only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

export function codeActions(input: CodeActionInput): CodeAction[] {
  const only = input.params.context.only;
  const out: CodeAction[] = [];
  if (wants(only, CodeActionKind.QuickFix)) out.push(...quickFixes(input));
  if (only !== undefined && wants(only, FIX_ALL_KIND)) {
    const action = fixAllAction(input);
    if (action !== undefined) out.push(action);
  }
  return out;
}

function quickFixes(input: CodeActionInput): CodeAction[] {
  const { state, version } = input;
  if (state?.version !== version) return [];
  const out: CodeAction[] = [];
  const titles = new Set<string>();
  const add = (a: CodeAction): void => {
    if (titles.has(a.title)) return;
    titles.add(a.title);
    out.push(a);
  };
  for (const diagnostic of input.params.context.diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
    const ref = parseFindingRef(diagnostic.data);
    // A diagnostic from another version points at findings that no longer exist.
    if (ref?.version !== version) continue;
    const finding = state.findings[ref.index];
    if (finding === undefined || finding.ruleId !== diagnostic.code) continue;
    for (const fix of finding.fixes) add(fixAction(input, fix, diagnostic));
    const copy = copyAction(finding, diagnostic);
    if (copy !== undefined) add(copy);
    const suppress = suppressAction(input, state, finding, diagnostic);
    if (suppress !== undefined) add(suppress);
    const docs = docsAction(finding, diagnostic);
    if (docs !== undefined) add(docs);
  }
  return out;
}

function workspaceEdit(
  input: CodeActionInput,
  lineStarts: readonly number[],
  edits: readonly TextEdit[],
): WorkspaceEdit {
  const lspEdits: LspTextEdit[] = edits.map((e) => ({
    range: toRange(lineStarts, e.span),
    newText: e.text,
  }));
  const uri = input.params.textDocument.uri;
  return input.documentChanges
    ? { documentChanges: [{ textDocument: { uri, version: input.version }, edits: lspEdits }] }
    : { changes: { [uri]: lspEdits } };
}

/** Line starts of the current text (the cached parse when it is of the current version). */
function lineStarts(input: CodeActionInput): readonly number[] {
  return input.state?.version === input.version
    ? input.state.lineStarts
    : computeLineStarts(input.text);
}

function fixAction(input: CodeActionInput, fix: Fix, diagnostic: Diagnostic): CodeAction {
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fix.preferred,
    edit: workspaceEdit(input, lineStarts(input), fix.edits),
  };
}

/** How a format writes a `relay-lint-disable-next-line` directive as a comment line. */
interface DirectiveSyntax {
  /** An existing directive line: [1] up to the rule list, [2] the rest of the comment's text. */
  readonly existing: RegExp;
  /** What separates the rule list from the reason. */
  readonly separator: RegExp;
  write(indent: string, ruleId: string): string;
}

/**
 * Formats with comments where a directive line above the finding's line is harmless: YAML, and
 * Postfix (a comment line inside a continued logical line is skipped by Postfix, not taken as its
 * end); XML (MetaBase.xml) only above a line that starts a tag, since a comment cannot sit
 * between a tag's attributes, and with ` - ` before the reason, as an XML comment cannot hold
 * `--` (the IIS reader reads it so). JSON (an Exchange export) has no comments.
 */
const HASH: DirectiveSyntax = {
  existing: /^([ \t]*#[ \t]*relay-lint-disable-next-line)([^\r\n]*)$/,
  separator: /--/,
  write: (indent, ruleId) =>
    `${indent}# relay-lint-disable-next-line ${ruleId} -- ${REASON_PLACEHOLDER}`,
};
const XML: DirectiveSyntax = {
  existing: /^([ \t]*<!--[ \t]*relay-lint-disable-next-line)([^\r\n]*?)[ \t]*-->[ \t]*$/,
  separator: /\s-(?=\s|$)/,
  write: (indent, ruleId) =>
    `${indent}<!-- relay-lint-disable-next-line ${ruleId} - ${REASON_PLACEHOLDER} -->`,
};

function directiveSyntax(format: string, line: string): DirectiveSyntax | undefined {
  if (format === 'yaml' || format === 'postfix-main' || format === 'postfix-master') return HASH;
  if (format === 'iis' && /^[ \t]*<(?![/!?])/.test(line)) return XML;
  return undefined;
}

/** Characters of a command shown in the title of its "Copy command" action. */
const TITLE_COMMAND_CHARS = 60;

/**
 * "Copy command": a finding on a file that is not the server (an Exchange export) carries the
 * shell command that fixes it; the client copies it to the clipboard (no text edit).
 */
function copyAction(finding: Finding, diagnostic: Diagnostic): CodeAction | undefined {
  const command = finding.remediation;
  if (command === undefined || command.trim() === '') return undefined;
  const shown =
    command.length > TITLE_COMMAND_CHARS
      ? `${command.slice(0, TITLE_COMMAND_CHARS - 1)}…`
      : command;
  const title = `Copy command: ${shown}`;
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    command: { title, command: COPY_REMEDIATION_COMMAND, arguments: [command] },
  };
}

/**
 * "Suppress RLYxxx on this line": a `relay-lint-disable-next-line` directive above the line,
 * indented like it, with a `<reason>` placeholder that keeps warning (RLY097) until it is
 * replaced. An existing directive on the line above gets the id added instead.
 */
function suppressAction(
  input: CodeActionInput,
  state: LintState,
  finding: Finding,
  diagnostic: Diagnostic,
): CodeAction | undefined {
  if (NOT_SUPPRESSIBLE.has(finding.ruleId)) return undefined;
  // The state is of the current version (quickFixes checks), so its text is `input.text`.
  const { text } = input;
  const { lineStarts } = state;
  const line = lineOf(lineStarts, finding.span.start);
  const start = lineStarts[line] ?? 0;
  const syntax = directiveSyntax(state.parsed.format, lineText(text, lineStarts, line).text);
  if (syntax === undefined) return undefined;
  const indent = /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
  const title = `Suppress ${finding.ruleId} on this line`;
  const base = { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic] };
  const above = line > 0 ? lineText(text, lineStarts, line - 1) : undefined;
  const existing = above === undefined ? null : syntax.existing.exec(above.text);
  if (above !== undefined && existing !== null) {
    const body = existing[2] ?? '';
    const sep = syntax.separator.exec(body)?.index ?? -1;
    const list = sep >= 0 ? body.slice(0, sep) : body;
    if (list.split(/[\s,]+/).includes(finding.ruleId)) return undefined;
    const at = above.start + (existing[1]?.length ?? 0) + list.trimEnd().length;
    const insert = list.trim() === '' ? ` ${finding.ruleId}` : `, ${finding.ruleId}`;
    const edit = workspaceEdit(input, lineStarts, [{ span: { start: at, end: at }, text: insert }]);
    return { ...base, edit };
  }
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const directive = syntax.write(indent, finding.ruleId) + eol;
  const edit = workspaceEdit(input, lineStarts, [{ span: { start, end: start }, text: directive }]);
  return { ...base, edit };
}

function lineText(
  text: string,
  lineStarts: readonly number[],
  line: number,
): { start: number; text: string } {
  const start = lineStarts[line] ?? 0;
  const end = lineStarts[line + 1] ?? text.length;
  return { start, text: text.slice(start, end).replace(/\r?\n$|\r$/, '') };
}

function docsAction(finding: Finding, diagnostic: Diagnostic): CodeAction | undefined {
  const href = ruleDocUrl(finding.ruleId);
  if (href === undefined) return undefined;
  const title = `Show documentation for ${finding.ruleId}`;
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    command: { title, command: 'vscode.open', arguments: [href] },
  };
}

/**
 * `source.fixAll.relayLint`: every safe fix, applied until nothing changes (core `fixAll`).
 * When one pass of non-overlapping fixes does it, those minimal edits are sent; otherwise one
 * edit over the region that changed.
 */
function fixAllAction(input: CodeActionInput): CodeAction | undefined {
  const state = input.state;
  // fix-all lints the text as it is now, so it needs no cached lint of the latest version: a save
  // right after typing still gets its safe fixes.
  const basis =
    input.current ??
    (state !== undefined ? { project: state.project, rules: state.rules } : undefined);
  if (basis === undefined) return undefined;
  const result = fixAll(
    sourceInput(basis.project, input.params.textDocument.uri, input.text, basis.rules),
  );
  if (result.text === input.text) return undefined;
  const first =
    state !== undefined && state.version === input.version
      ? safeEdits(state.findings).edits
      : undefined;
  const applied = first === undefined ? undefined : applyEdits(input.text, first);
  const edits =
    first !== undefined && applied?.skipped.length === 0 && applied.text === result.text
      ? first
      : [changedRegion(input.text, result.text)];
  return {
    title: 'Fix all safe Relay Lint problems',
    kind: FIX_ALL_KIND,
    edit: workspaceEdit(input, lineStarts(input), edits),
  };
}

/** One edit that turns `before` into `after`: the span between their common prefix and suffix. */
export function changedRegion(before: string, after: string): TextEdit {
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  )
    suffix++;
  return {
    span: { start: prefix, end: before.length - suffix },
    text: after.slice(prefix, after.length - suffix),
  };
}
