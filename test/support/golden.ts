import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { applyEdits } from '../../server/src/core/fix/apply.js';
import type { Finding, Fix, ParsedFile } from '../../server/src/core/model.js';
import { positionAt } from '../../server/src/core/text.js';

export const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

/** Compares `actual` with a golden file; UPDATE_GOLDEN=1 rewrites it. A missing golden fails. */
export function assertGolden(file: string, actual: string): void {
  if (UPDATE) {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `missing golden file ${file}: run npm run test:update and review it`);
  assert.equal(
    actual,
    readFileSync(file, 'utf8'),
    `golden mismatch: ${file} (npm run test:update to accept)`,
  );
}

/** Line comment marker used in goldens (goldens are never parsed, only read by people). */
function marker(format: ParsedFile['format']): string {
  return format === 'json' ? '//' : '#';
}

/**
 * The input with each finding drawn under its first line (carets under the range), then, for
 * each fix, the lines it changes.
 */
export function renderGolden(file: ParsedFile, findings: readonly Finding[]): string {
  const lines = file.text.split(/\r?\n|\r/);
  const under = new Map<number, string[]>();
  const m = marker(file.format);
  for (const f of findings) {
    const start = positionAt(file.lineStarts, f.span.start);
    const end = positionAt(file.lineStarts, f.span.end);
    const lineText = lines[start.line - 1] ?? '';
    const width =
      end.line === start.line
        ? Math.max(end.column - start.column, 1)
        : Math.max(lineText.length - start.column + 1, 1);
    const pad = ' '.repeat(Math.max(start.column - 1 - m.length, 0));
    const note = f.suppressed ? ` [suppressed: ${f.suppressedBy ?? ''}]` : '';
    const row = `${m}${pad}${'^'.repeat(width)} ${f.ruleId} ${f.rule} (${f.severity})${note}: ${f.message}`;
    const rel = f.related.map((r) => {
      const p = positionAt(file.lineStarts, r.span.start);
      return `${m}${' '.repeat(Math.max(start.column - 1 - m.length, 0))}  related ${p.line}:${p.column}: ${r.message}`;
    });
    const list = under.get(start.line) ?? [];
    list.push(row, ...rel);
    under.set(start.line, list);
  }
  const out: string[] = [];
  lines.forEach((l, i) => {
    out.push(l);
    out.push(...(under.get(i + 1) ?? []));
  });
  for (const f of findings) {
    for (const fix of f.fixes) out.push(...renderFix(file, f, fix));
  }
  return out.join('\n') + '\n';
}

function renderFix(file: ParsedFile, f: Finding, fix: Fix): string[] {
  const m = marker(file.format);
  const kind = `${fix.safe ? 'safe' : 'unsafe'}${fix.preferred ? ', preferred' : ''}`;
  const after = applyEdits(file.text, fix.edits).text;
  return [`${m} ---- ${f.ruleId} fix "${fix.title}" (${kind}) ----`, ...lineDiff(file.text, after)];
}

/** The changed region as -/+ lines (common leading and trailing lines trimmed). */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split(/\r?\n|\r/);
  const b = after.split(/\r?\n|\r/);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const removed = a.slice(head, a.length - tail).map((l) => `- ${l}`);
  const added = b.slice(head, b.length - tail).map((l) => `+ ${l}`);
  return [`@@ line ${head + 1}`, ...removed, ...added];
}
