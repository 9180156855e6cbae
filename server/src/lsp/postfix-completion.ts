import { type CompletionItem, CompletionItemKind, type Range } from 'vscode-languageserver';
import { computeLineStarts } from '../core/text.js';
import { toPosition } from './diagnostics.js';
import { mainCfParameterAt, masterCfOverrideAt } from './postfix-lines.js';
import {
  POSTFIX_PARAMETERS,
  POSTFIX_RESTRICTIONS,
  type PostfixParameter,
  postfixParameter,
  takesRestrictions,
} from './postfix-vocabulary.js';

/**
 * Completion in main.cf and master.cf: parameter names at the start of a main.cf line or after
 * a master.cf `-o`, restriction names in a restriction list, the values of enumerated
 * parameters; each with its meaning.
 */
export function postfixCompletionsAt(
  text: string,
  file: 'main' | 'master',
  offset: number,
): CompletionItem[] {
  const lineStart = startOfLine(text, offset);
  const before = text.slice(lineStart, offset);
  const word = /[A-Za-z0-9_]*$/.exec(before)?.[0] ?? '';
  const wordEnd = offset + (/^[A-Za-z0-9_]*/.exec(text.slice(offset))?.[0].length ?? 0);
  const range = (): Range => {
    const starts = computeLineStarts(text);
    return { start: toPosition(starts, offset - word.length), end: toPosition(starts, wordEnd) };
  };

  if (file === 'main') {
    // A name at the very start of a line (a line starting with blanks continues the previous one).
    if (/^[A-Za-z0-9_]*$/.test(before) && !/^[ \t]*=/.test(text.slice(wordEnd))) {
      const defined = definedNames(text);
      return parameterItems(range(), ' = ', (name) => !defined.has(name) || name === word);
    }
    const p = mainCfParameterAt(text, offset);
    if (p === undefined || offset < p.valueStart) return [];
    return valueItems(p.name, range());
  }

  const o = /(?:^|[ \t])-o[ \t]+([A-Za-z0-9_]*)$/.exec(before);
  if (o !== null) return parameterItems(range(), '=', () => true);
  const override = masterCfOverrideAt(text, offset);
  if (override === undefined || offset < override.valueStart) return [];
  return valueItems(override.name, range());
}

function startOfLine(text: string, offset: number): number {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  return start;
}

function definedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^([A-Za-z0-9_]+)[ \t]*=/gm))
    if (m[1] !== undefined) names.add(m[1]);
  return names;
}

function parameterItems(
  range: Range,
  suffix: string,
  keep: (name: string) => boolean,
): CompletionItem[] {
  return POSTFIX_PARAMETERS.filter((p) => keep(p.name)).map((p, i) => ({
    label: p.name,
    kind: CompletionItemKind.Property,
    detail: p.default !== undefined ? `default: ${p.default}` : 'Postfix parameter',
    documentation: { kind: 'markdown', value: parameterDoc(p) },
    // Relay parameters first: they are what this extension is about.
    sortText: `${p.relay === true ? '0' : '1'}${String(i).padStart(3, '0')}`,
    textEdit: { range, newText: `${p.name}${suffix}` },
  }));
}

function parameterDoc(p: PostfixParameter): string {
  const lines = [p.meaning];
  if (p.values !== undefined) lines.push(`Values: ${p.values.map((v) => `\`${v}\``).join(', ')}.`);
  return lines.join('\n\n');
}

function valueItems(parameter: string, range: Range): CompletionItem[] {
  if (takesRestrictions(parameter))
    return POSTFIX_RESTRICTIONS.map((r, i) => ({
      label: r.name,
      kind: CompletionItemKind.Function,
      detail: r.table === true ? 'restriction (takes a table)' : 'restriction',
      documentation: { kind: 'markdown', value: r.meaning },
      sortText: String(i).padStart(3, '0'),
      textEdit: { range, newText: r.table === true ? `${r.name} ` : r.name },
    }));
  const info = postfixParameter(parameter);
  return (info?.values ?? []).map((v, i) => ({
    label: v,
    kind: CompletionItemKind.EnumMember,
    ...(info?.default?.startsWith(v) === true ? { detail: 'default' } : {}),
    documentation: { kind: 'markdown', value: info?.meaning ?? '' },
    sortText: String(i).padStart(3, '0'),
    textEdit: { range, newText: v },
  }));
}
