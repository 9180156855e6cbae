import {
  type Diagnostic,
  DiagnosticSeverity,
  DiagnosticTag,
  type Position,
  type Range,
} from 'vscode-languageserver';
import type { Finding, Severity, Span } from '../core/model.js';
import { lineOf } from '../core/text.js';
import { DIAGNOSTIC_SOURCE } from '../protocol/index.js';

/** Where the documentation page of a rule lives (SPEC §2: every finding links to it). */
export function ruleDocUrl(ruleId: string): string | undefined {
  return /^RLY\d{3}$/.test(ruleId)
    ? `https://github.com/relay-lint/relay-lint/blob/main/docs/rules/${ruleId}.md`
    : undefined;
}

/** SPEC §2: critical/high → Error, medium → Warning, low → Information, info → Hint. */
export function toDiagnosticSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'critical':
    case 'high':
      return DiagnosticSeverity.Error;
    case 'medium':
      return DiagnosticSeverity.Warning;
    case 'low':
      return DiagnosticSeverity.Information;
    case 'info':
      return DiagnosticSeverity.Hint;
  }
}

/** What precedes a finding's remediation command in its related information. */
export const REMEDIATION_LABEL = 'Fix on the server (copy with the quick fix): ';

/** A reference into the cached findings of one document version, carried in `Diagnostic.data`. */
export interface FindingRef {
  readonly version: number;
  readonly index: number;
}

export function parseFindingRef(data: unknown): FindingRef | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { version, index } = data as Record<string, unknown>;
  return Number.isInteger(version) && Number.isInteger(index) && (index as number) >= 0
    ? { version: version as number, index: index as number }
    : undefined;
}

/** UTF-16 offset → LSP position, with the line starts the parser computed for the same text. */
export function toPosition(lineStarts: readonly number[], offset: number): Position {
  const line = lineOf(lineStarts, offset);
  return { line, character: Math.max(0, offset - (lineStarts[line] ?? 0)) };
}

export function toRange(lineStarts: readonly number[], span: Span): Range {
  return { start: toPosition(lineStarts, span.start), end: toPosition(lineStarts, span.end) };
}

export interface DiagnosticInput {
  readonly uri: string;
  readonly lineStarts: readonly number[];
  /** Document version the findings were computed for; undefined for files that are not open. */
  readonly version: number | undefined;
}

/** One finding as an LSP diagnostic (pure). */
export function toDiagnostic(input: DiagnosticInput, finding: Finding, index: number): Diagnostic {
  const href = ruleDocUrl(finding.ruleId);
  const diagnostic: Diagnostic = {
    range: toRange(input.lineStarts, finding.span),
    severity: toDiagnosticSeverity(finding.severity),
    code: finding.ruleId,
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
  };
  if (href !== undefined) diagnostic.codeDescription = { href };
  const related = finding.related.map((r) => ({
    location: { uri: input.uri, range: toRange(input.lineStarts, r.span) },
    message: r.message,
  }));
  // The command that fixes it on the server (an Exchange export cannot be edited into a fix):
  // shown under the finding in the Problems panel, at the finding itself, so the message stays
  // the CLI's word for word. The "Copy command" code action copies it.
  if (finding.remediation !== undefined)
    related.push({
      location: { uri: input.uri, range: diagnostic.range },
      message: `${REMEDIATION_LABEL}${finding.remediation}`,
    });
  if (related.length > 0) diagnostic.relatedInformation = related;
  if (finding.tags.includes('unnecessary')) diagnostic.tags = [DiagnosticTag.Unnecessary];
  if (input.version !== undefined) diagnostic.data = { version: input.version, index };
  return diagnostic;
}

/** The diagnostics of a lint result: suppressed findings are kept in the cache but not shown. */
export function toDiagnostics(input: DiagnosticInput, findings: readonly Finding[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  findings.forEach((f, i) => {
    if (!f.suppressed) out.push(toDiagnostic(input, f, i));
  });
  return out;
}
