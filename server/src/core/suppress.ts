import type { LintConfig } from './lint-config.js';
import { makeFinding } from './finding.js';
import type { Finding, Fix, ParsedFile, Span } from './model.js';
import { interpolate } from './rule.js';
import { ruleByToken } from './rules/index.js';
import suppressionWithoutReason from './rules/suppression-without-reason.js';
import unusedSuppression from './rules/unused-suppression.js';
import { type Directive, parseDirectives } from './suppressions.js';
import { lineOf } from './text.js';

type WithoutReasonId = keyof typeof suppressionWithoutReason.meta.messages;
type UnusedId = keyof typeof unusedSuppression.meta.messages;

/**
 * Marks findings covered by a directive with a reason as suppressed (they stay in the output),
 * and reports directives without a reason (RLY097, which suppress nothing) and directives, or
 * rules named in them, that suppress nothing (RLY098).
 */
export function applySuppressions(
  file: ParsedFile,
  findings: readonly Finding[],
  config: LintConfig,
  fingerprintPath: string,
): Finding[] {
  const directives = parseDirectives(file.comments);
  if (directives.length === 0) return [...findings];
  const used = new Map<Directive, Set<string>>();
  const out = findings.map((f) => {
    const line = lineOf(file.lineStarts, f.span.start);
    for (const d of directives) {
      if (d.reason === undefined || (d.kind !== 'file' && d.targetLine !== line)) continue;
      // Every token naming the rule counts as used (`RLY010, broad-cidr` names it twice).
      const hits = d.rules.filter((r) => ruleByToken(r.token)?.meta.id === f.ruleId);
      if (hits.length === 0) continue;
      const set = used.get(d) ?? new Set<string>();
      for (const h of hits) set.add(h.token);
      used.set(d, set);
      // A finding an override already suppressed keeps the override's reason; the directive
      // still counts as used (it is not wrong, only redundant with the configuration).
      return f.suppressed ? f : { ...f, suppressed: true, suppressedBy: d.reason };
    }
    return f;
  });
  const extra: Finding[] = [];
  const emit = (ruleId: string, span: Span, message: string, fix?: Fix): void => {
    const finding = meta(ruleId, span, message, file, fingerprintPath, config, fix);
    if (finding !== undefined) extra.push(finding);
  };
  for (const d of directives) {
    if (d.reason === undefined) {
      const id: WithoutReasonId = d.rules.length === 0 ? 'missingNoRule' : 'missing';
      emit(
        suppressionWithoutReason.meta.id,
        d.comment.span,
        interpolate(suppressionWithoutReason.meta.messages[id], {
          kind: d.kind,
          rules: d.rules.map((r) => r.token).join(', '),
        }),
      );
      continue;
    }
    if (d.rules.length === 0) {
      emit(
        unusedSuppression.meta.id,
        d.comment.span,
        unusedMessage('noRule', { kind: d.kind }),
        removeComment(file, d.comment.span),
      );
      continue;
    }
    const hits = used.get(d) ?? new Set<string>();
    const unused = d.rules.filter((r) => !hits.has(r.token));
    if (unused.length === 0) continue;
    const names = unused
      .map((r) => (ruleByToken(r.token) === undefined ? `${r.token} (no such rule)` : r.token))
      .join(', ');
    const all = unused.length === d.rules.length;
    const data = {
      names,
      verb: unused.length === 1 ? 'has' : 'have',
      where:
        d.kind === 'file'
          ? 'in this file'
          : d.kind === 'line'
            ? 'on this line'
            : 'on the next line',
      pronoun: unused.length === 1 ? 'it' : 'them',
    };
    if (all) {
      emit(
        unusedSuppression.meta.id,
        d.comment.span,
        unusedMessage('unused', data),
        removeComment(file, d.comment.span),
      );
    } else {
      emit(
        unusedSuppression.meta.id,
        spanOver(unused.map((r) => r.span)),
        unusedMessage('partlyUnused', data),
        removeTokens(d, unused),
      );
    }
  }
  return [...out, ...extra];
}

function unusedMessage(id: UnusedId, data: Readonly<Record<string, string>>): string {
  return interpolate(unusedSuppression.meta.messages[id], data);
}

/** Rewrites the directive's rule list without the unused tokens (the used ones stay). */
function removeTokens(d: Directive, unused: Directive['rules']): Fix {
  const first = d.rules[0];
  const last = d.rules[d.rules.length - 1];
  const kept = d.rules.filter((r) => !unused.includes(r)).map((r) => r.token);
  const span = { start: first?.span.start ?? 0, end: last?.span.end ?? 0 };
  return {
    title: `Remove ${unused.map((r) => r.token).join(', ')} from the suppression`,
    safe: true,
    preferred: true,
    edits: [{ span, text: kept.join(', ') }],
  };
}

function spanOver(spans: readonly Span[]): Span {
  return {
    start: Math.min(...spans.map((s) => s.start)),
    end: Math.max(...spans.map((s) => s.end)),
  };
}

/** Removes a whole-line comment with its line, or a trailing comment with the space before it. */
function removeComment(file: ParsedFile, span: Span): Fix {
  const line = lineOf(file.lineStarts, span.start);
  const lineStart = file.lineStarts[line] ?? 0;
  const before = file.text.slice(lineStart, span.start);
  if (before.trim() === '') {
    const next = file.lineStarts[line + 1] ?? file.text.length;
    return {
      title: 'Remove the unused suppression',
      safe: true,
      preferred: true,
      edits: [{ span: { start: lineStart, end: next }, text: '' }],
    };
  }
  const start = lineStart + before.trimEnd().length;
  return {
    title: 'Remove the unused suppression',
    safe: true,
    preferred: true,
    edits: [{ span: { start, end: span.end }, text: '' }],
  };
}

function meta(
  ruleId: string,
  span: Span,
  message: string,
  file: ParsedFile,
  fingerprintPath: string,
  config: LintConfig,
  fix?: Fix,
): Finding | undefined {
  const rule = ruleByToken(ruleId);
  if (rule === undefined) return undefined;
  const document =
    file.documents.find((d) => d.span.start <= span.start && span.start <= d.span.end)?.index ?? 0;
  return makeFinding({
    rule: rule.meta,
    message,
    span,
    fingerprintPath,
    fingerprintValue: file.text.slice(span.start, span.end),
    config,
    document,
    ...(fix !== undefined ? { fixes: [fix] } : {}),
  });
}
