import type { TextEdit } from '../model.js';

/** Applies edits left to right, skipping any that overlap one already taken. */
export function applyEdits(
  text: string,
  edits: readonly TextEdit[],
): { text: string; skipped: TextEdit[] } {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const skipped: TextEdit[] = [];
  let out = '';
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.span.start < cursor) {
      skipped.push(edit);
      continue;
    }
    out += text.slice(cursor, edit.span.start) + edit.text;
    cursor = edit.span.end;
  }
  return { text: out + text.slice(cursor), skipped };
}
