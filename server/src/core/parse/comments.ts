import type { Comment, Span, SyntaxNode } from '../model.js';
import { lineOf } from '../text.js';

/**
 * Finds YAML comments: a `#` at the start of a line or after white space, outside every scalar
 * and key. The yaml library attaches comments to nodes without offsets, so they are found here
 * from the spans the tree already has.
 */
export function findComments(
  text: string,
  roots: readonly (SyntaxNode | undefined)[],
  lineStarts: readonly number[],
): Comment[] {
  const covered: Span[] = [];
  for (const r of roots) if (r !== undefined) collectScalarSpans(r, covered);
  covered.sort((a, b) => a.start - b.start);
  const comments: Comment[] = [];
  let k = 0;
  for (let i = text.indexOf('#'); i >= 0; i = text.indexOf('#', i + 1)) {
    while (k < covered.length && (covered[k]?.end ?? 0) <= i) k++;
    const c = covered[k];
    if (c !== undefined && c.start <= i && i < c.end) continue;
    const prev = i === 0 ? '\n' : text[i - 1];
    if (prev !== ' ' && prev !== '\t' && prev !== '\n' && prev !== '\r' && prev !== '\uFEFF')
      continue;
    let end = i;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    const line = lineOf(lineStarts, i);
    const before = text.slice(lineStarts[line] ?? 0, i);
    comments.push({
      text: text.slice(i + 1, end),
      span: { start: i, end },
      line,
      trailing: before.trim().replace(/^\uFEFF/, '') !== '',
    });
    i = end;
  }
  return comments;
}

function collectScalarSpans(node: SyntaxNode, out: Span[]): void {
  const stack: SyntaxNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as SyntaxNode;
    if (n.kind === 'scalar') out.push(n.span);
    else if (n.kind === 'array') stack.push(...n.items);
    else
      for (const e of n.entries) {
        out.push(e.keySpan);
        stack.push(e.value);
      }
  }
}
