import type { Comment, Span } from './model.js';

export type DirectiveKind = 'next-line' | 'line' | 'file';

export interface Directive {
  readonly kind: DirectiveKind;
  readonly comment: Comment;
  /** Rule tokens as written (ids or names). */
  readonly rules: readonly { readonly token: string; readonly span: Span }[];
  /** Trimmed text after `--`; undefined when missing or empty. */
  readonly reason?: string;
  /** 0-based line the directive governs (for file directives, -1). */
  readonly targetLine: number;
}

/** What the suppression quick fix writes after `--`; it counts as no reason. */
export const REASON_PLACEHOLDER = '<reason>';

const DIRECTIVE = /^\s*relay-lint-disable-(next-line|line|file)(?=\s|$)/;

/** Reads `# relay-lint-disable-… RLY010, broad-cidr -- reason` comments. */
export function parseDirectives(comments: readonly Comment[]): Directive[] {
  const out: Directive[] = [];
  for (const c of comments) {
    const m = DIRECTIVE.exec(c.text);
    if (m === null) continue;
    const kind = m[1] as DirectiveKind;
    const rest = c.text.slice(m[0].length);
    const sep = rest.indexOf('--');
    const list = sep >= 0 ? rest.slice(0, sep) : rest;
    const written = sep >= 0 ? rest.slice(sep + 2).trim() : '';
    // The editor's "Suppress" quick fix writes the placeholder `<reason>`: it is no reason yet,
    // so the directive keeps warning (RLY097) until someone writes why.
    const reason = written === REASON_PLACEHOLDER ? '' : written;
    const listStart = (c.textStart ?? c.span.start + 1) + m[0].length;
    const rules: { token: string; span: Span }[] = [];
    const re = /[^,\s]+/g;
    for (let t = re.exec(list); t !== null; t = re.exec(list)) {
      const start = listStart + t.index;
      rules.push({ token: t[0], span: { start, end: start + t[0].length } });
    }
    out.push({
      kind,
      comment: c,
      rules,
      ...(reason !== '' ? { reason } : {}),
      targetLine: kind === 'file' ? -1 : kind === 'line' ? c.line : c.line + 1,
    });
  }
  return out;
}
