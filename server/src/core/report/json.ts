import { SEVERITIES, type Severity, type Span } from '../model.js';
import { spanToRange } from '../text.js';
import { type FileResult, sortResults } from './result.js';

export const TOOL = { name: 'relay-lint', version: '0.1.0' } as const;

export function severityCounts(
  results: readonly FileResult[],
  includeSuppressed = false,
): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const r of results)
    for (const f of r.findings) if (includeSuppressed || !f.suppressed) counts[f.severity]++;
  return counts;
}

/** The `--format json` object of SPEC §6: 1-based lines, UTF-16 columns, exclusive end. */
export function toJsonReport(results: readonly FileResult[]): unknown {
  const sorted = sortResults(results);
  return {
    version: 1,
    tool: TOOL,
    files: sorted.map((r) => {
      const range = (s: Span) => spanToRange(r.file.lineStarts, s);
      return {
        path: r.path,
        findings: r.findings.map((f) => ({
          ruleId: f.ruleId,
          rule: f.rule,
          severity: f.severity,
          message: f.message,
          range: range(f.span),
          related: f.related.map((x) => ({
            path: r.path,
            range: range(x.span),
            message: x.message,
          })),
          fixes: f.fixes.map((x) => ({
            title: x.title,
            safe: x.safe,
            preferred: x.preferred,
            edits: x.edits.map((e) => ({ range: range(e.span), newText: e.text })),
          })),
          ...(f.remediation !== undefined ? { remediation: f.remediation } : {}),
          suppressed: f.suppressed,
          ...(f.suppressedBy !== undefined ? { suppressionReason: f.suppressedBy } : {}),
          fingerprint: f.fingerprint,
        })),
      };
    }),
    summary: { files: sorted.length, findings: severityCounts(sorted) },
  };
}
