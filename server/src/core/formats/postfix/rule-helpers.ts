import type { Span } from '../../model.js';
import type { RelatedReport } from '../../rule.js';
import { lineOf } from '../../text.js';
import type { PostfixFileData } from './file-data.js';
import { relatedAt } from './file-data.js';
import { effectiveParam } from './instance.js';
import type { EffectiveParam, PfItem, PfListener, PfParamDef } from './model.js';

/** Helpers the Postfix product rules share (rules/*.ts). */

export const RESTRICTION_PARAMS = [
  'smtpd_relay_restrictions',
  'smtpd_recipient_restrictions',
] as const;

/** Where a finding on `item` goes in this file: its own span, the default span, or nowhere. */
export function spanHere(
  data: PostfixFileData,
  item: { readonly span: Span; readonly file: string },
): Span | undefined {
  if (item.file !== data.kind) return undefined;
  return item.span;
}

/** Where a finding about an effective parameter goes: its definition, or (a default) main.cf's default span. */
export function paramSpanHere(data: PostfixFileData, p: EffectiveParam): Span | undefined {
  if (p.def !== undefined) return p.def.file === data.kind ? p.def.valueSpan : undefined;
  return data.kind === 'main.cf' ? data.defaultSpan : undefined;
}

/** The same, for a parameter name: its written name (a definition), or the default span. */
export function paramNameSpanHere(data: PostfixFileData, p: EffectiveParam): Span | undefined {
  if (p.def !== undefined) return p.def.file === data.kind ? p.def.nameSpan : undefined;
  return data.kind === 'main.cf' ? data.defaultSpan : undefined;
}

export function lineAt(lineStarts: readonly number[], offset: number): number {
  return lineOf(lineStarts, offset) + 1;
}

/** Related locations that lie in this file (the rest are the other file's business). */
export function related(
  data: PostfixFileData,
  parts: readonly (
    | {
        readonly where: { readonly span: Span; readonly file: PfItem['file'] };
        readonly message: string;
      }
    | undefined
  )[],
): RelatedReport[] {
  const out: RelatedReport[] = [];
  for (const p of parts) {
    if (p === undefined) continue;
    const r = relatedAt(data, p.where, p.message);
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** The listeners' names, quoted and joined: `"smtp"`, `"smtp" and "submission"`. */
export function serviceNames(listeners: readonly PfListener[]): string {
  const names = listeners.map((l) => `"${l.name}"`);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

/** Groups values by a key, keeping first-seen order. */
export function groupBy<T>(values: readonly T[], key: (v: T) => string | undefined): T[][] {
  const groups = new Map<string, T[]>();
  for (const v of values) {
    const k = key(v);
    if (k === undefined) continue;
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [v]);
    else g.push(v);
  }
  return [...groups.values()];
}

/** Effective restriction items of a listener, per list. */
export function restrictionLists(
  data: PostfixFileData,
  l: PfListener,
): { name: string; param: EffectiveParam }[] {
  return RESTRICTION_PARAMS.map((name) => ({
    name,
    param: effectiveParam(data.instance, l, name),
  }));
}

/** The effective definition `def` of a listener's parameter is written in this file. */
export function writtenHere(data: PostfixFileData, def: PfParamDef | undefined): def is PfParamDef {
  return def !== undefined && def.file === data.kind;
}

/**
 * The definitions written in this file that Postfix uses: main.cf's (the last of each name) or
 * master.cf's `-o` overrides (none for the stock master.cf, which is written nowhere).
 */
export function definitionsHere(data: PostfixFileData): readonly PfParamDef[] {
  if (data.kind === 'main.cf') return [...data.instance.main.params.values()];
  return data.instance.stockMaster ? [] : data.instance.master.services.flatMap((s) => s.overrides);
}
