import { SEVERITIES } from '../model.js';
import { positionAt } from '../text.js';
import { escapeControl } from './control.js';
import { severityCounts } from './json.js';
import { type FileResult, sortResults } from './result.js';

export interface TextOptions {
  readonly color: boolean;
}

const COLORS = { critical: '35;1', high: '31', medium: '33', low: '36', info: '2' } as const;

/**
 * ESLint "stylish"-like output: a block per file, aligned columns, a summary line. Paths and
 * messages (which quote names from the file) are printed with control characters escaped.
 */
export function toText(results: readonly FileResult[], options: TextOptions): string {
  const paint = (code: string, s: string): string =>
    options.color ? `\u001b[${code}m${s}\u001b[0m` : s;
  const lines: string[] = [];
  for (const r of sortResults(results)) {
    const shown = r.findings.filter((f) => !f.suppressed);
    if (shown.length === 0) continue;
    lines.push(paint('4', escapeControl(r.path)));
    const rows = shown.map((f) => {
      const p = positionAt(r.file.lineStarts, f.span.start);
      return {
        where: `${p.line}:${p.column}`,
        sev: f.severity,
        message: escapeControl(f.message),
        rule: escapeControl(`${f.ruleId} ${f.rule}`),
      };
    });
    const w = Math.max(...rows.map((x) => x.where.length));
    const s = Math.max(...rows.map((x) => x.sev.length));
    for (const row of rows) {
      lines.push(
        `  ${row.where.padEnd(w)}  ${paint(COLORS[row.sev], row.sev.padEnd(s))}  ${row.message}  ${paint('2', row.rule)}`,
      );
    }
    lines.push('');
  }
  const counts = severityCounts(results);
  const total = SEVERITIES.reduce((n, k) => n + counts[k], 0);
  const suppressed = results.reduce((n, r) => n + r.findings.filter((f) => f.suppressed).length, 0);
  const files = results.length;
  const detail = SEVERITIES.filter((k) => counts[k] > 0)
    .map((k) => `${counts[k]} ${k}`)
    .join(', ');
  const head =
    total === 0
      ? paint('32', `✔ No problems in ${files} ${files === 1 ? 'file' : 'files'}`)
      : paint(
          '1',
          `✖ ${total} ${total === 1 ? 'problem' : 'problems'} (${detail}) in ${files} ${files === 1 ? 'file' : 'files'}`,
        );
  lines.push(head + (suppressed > 0 ? `, ${suppressed} suppressed` : ''));
  return lines.join('\n') + '\n';
}
