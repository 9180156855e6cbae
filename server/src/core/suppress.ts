import type { LintConfig } from './engine.js';
import { fingerprintOf } from './fingerprint.js';
import type { Finding, ParsedFile, Span } from './model.js';
import { ruleByToken } from './rules/index.js';
import { type Directive, parseDirectives } from './suppressions.js';
import { lineOf } from './text.js';

const WITHOUT_REASON = 'RLY097';
const UNUSED = 'RLY098';

/**
 * Marks findings covered by a directive with a reason as suppressed (they stay in the output),
 * and reports directives without a reason (which suppress nothing) and directives, or rules
 * named in them, that suppress nothing.
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
    if (f.suppressed) return f;
    const line = lineOf(file.lineStarts, f.span.start);
    for (const d of directives) {
      if (d.reason === undefined || (d.kind !== 'file' && d.targetLine !== line)) continue;
      const hit = d.rules.find((r) => ruleByToken(r.token)?.meta.id === f.ruleId);
      if (hit === undefined) continue;
      const set = used.get(d) ?? new Set<string>();
      set.add(hit.token);
      used.set(d, set);
      return { ...f, suppressed: true, suppressedBy: d.reason };
    }
    return f;
  });
  const extra: (Finding | undefined)[] = [];
  for (const d of directives) {
    if (d.reason === undefined) {
      extra.push(
        meta(
          WITHOUT_REASON,
          d.comment.span,
          withoutReasonMessage(d),
          file,
          fingerprintPath,
          config,
        ),
      );
      continue;
    }
    const hits = used.get(d) ?? new Set<string>();
    const unused = d.rules.filter((r) => !hits.has(r.token));
    if (d.rules.length === 0) {
      extra.push(
        meta(
          UNUSED,
          d.comment.span,
          `This relay-lint-disable-${d.kind} directive names no rule, so it suppresses nothing; name the rule ids it is for, or remove it.`,
          file,
          fingerprintPath,
          config,
          removeComment(file, d.comment.span),
        ),
      );
      continue;
    }
    if (unused.length === 0) continue;
    const names = unused
      .map((r) => (ruleByToken(r.token) === undefined ? `${r.token} (no such rule)` : r.token))
      .join(', ');
    const all = unused.length === d.rules.length;
    const span = all ? d.comment.span : spanOver(unused.map((r) => r.span));
    const where =
      d.kind === 'file' ? 'in this file' : d.kind === 'line' ? 'on this line' : 'on the next line';
    const message = `${names} ${unused.length === 1 ? 'has' : 'have'} no finding ${where}, so this suppression does nothing${all ? '; remove it' : ' for ' + (unused.length === 1 ? 'it' : 'them')}.`;
    extra.push(
      meta(
        UNUSED,
        span,
        message,
        file,
        fingerprintPath,
        config,
        all ? removeComment(file, d.comment.span) : undefined,
      ),
    );
  }
  return [...out, ...extra.filter((f): f is Finding => f !== undefined)];
}

function withoutReasonMessage(d: Directive): string {
  const rules = d.rules.map((r) => r.token).join(', ') || 'rules';
  return `This suppression of ${rules} has no reason, so it suppresses nothing; add "-- <why this is acceptable>" after the rule ids.`;
}

function spanOver(spans: readonly Span[]): Span {
  return {
    start: Math.min(...spans.map((s) => s.start)),
    end: Math.max(...spans.map((s) => s.end)),
  };
}

/** Removes a whole-line comment with its line, or a trailing comment with the space before it. */
function removeComment(file: ParsedFile, span: Span) {
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
  fix?: Finding['fixes'][number],
): Finding | undefined {
  const rule = ruleByToken(ruleId);
  const configured = config.rules?.get(ruleId);
  if (rule === undefined || configured === 'off') return undefined;
  return {
    ruleId,
    rule: rule.meta.name,
    severity: configured ?? rule.meta.severity,
    message,
    span,
    document: 0,
    path: [],
    related: [],
    fixes: fix !== undefined ? [fix] : [],
    tags: rule.meta.tags ?? [],
    suppressed: false,
    fingerprint: fingerprintOf({
      ruleId,
      file: fingerprintPath,
      document: 0,
      path: [],
      value: file.text.slice(span.start, span.end),
    }),
  };
}
