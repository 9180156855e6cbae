import type { ConfigDocument, ParsedFile, Span } from './model.js';
import { lineOf } from './text.js';

/** The first line of a document, for findings about the document as a whole. */
export function firstLine(file: ParsedFile, doc: ConfigDocument | undefined): Span {
  const start = doc?.span.start ?? 0;
  const line = lineOf(file.lineStarts, start);
  const lineEnd = (file.lineStarts[line + 1] ?? file.text.length + 1) - 1;
  let end = Math.max(start, Math.min(lineEnd, file.text.length));
  while (end > start && /[\r\n]/.test(file.text[end - 1] ?? '')) end--;
  return { start, end };
}
