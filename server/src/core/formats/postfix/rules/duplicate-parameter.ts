import type { Span, TextEdit } from '../../../model.js';
import { defineRule } from '../../../rule.js';
import { postfixDataOf } from '../file-data.js';
import { ORPHAN_LINE } from '../lines.js';
import { BOM, visible } from '../main-cf.js';
import type { PfParamDef } from '../model.js';
import { lineAt, related } from '../rule-helpers.js';

/**
 * The text to delete for a definition: a main.cf logical line as a whole; a master.cf `-o`
 * with its own physical line when nothing else is on it (a blank continuation line is harmless
 * to Postfix but untidy), else with the blanks before it.
 */
function removal(text: string, def: PfParamDef): TextEdit[] {
  if (def.file === 'main.cf') return [{ span: def.lineSpan, text: '' }];
  let start = def.lineSpan.start;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  let end = def.lineSpan.end;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  const atLineStart = start === 0 || text[start - 1] === '\n';
  if (atLineStart && (text[end] === '\n' || text[end] === '\r')) {
    end += text[end] === '\r' && text[end + 1] === '\n' ? 2 : 1;
    return [{ span: { start, end }, text: '' }];
  }
  const span: Span = { start, end: def.lineSpan.end };
  return [{ span, text: '' }];
}

export default defineRule({
  meta: {
    id: 'RLY067',
    name: 'duplicate-parameter',
    title: 'A Postfix parameter is defined again later, so the earlier definition has no effect',
    category: 'hygiene',
    severity: 'low',
    fixable: 'safe',
    tags: ['unnecessary'],
    messages: {
      main: '"{name}" is defined again on line {line}, and Postfix keeps the last definition: this one ("{value}") has no effect. Remove it.',
      override:
        '"-o {name}" is given again on line {line} for service "{service}", and the last one wins: this one ("{value}") has no effect. Remove it.',
      orphan:
        'This text starts with whitespace but continues no line before it: Postfix skips it ("logical line must not start with whitespace"), so "{text}" has no effect. {advice}',
      bom: 'Line 1 begins with a byte order mark (U+FEFF), which Postfix reads as part of the first parameter name: it sees "{shown}", an unknown parameter, so this definition of "{name}" has no effect. Save main.cf without the byte order mark.',
    },
    rationale:
      'Postfix remembers only the last definition of a parameter. An earlier one still reads as the setting to whoever finds it first — `mynetworks = 127.0.0.0/8` at the top means nothing when `mynetworks = 0.0.0.0/0` follows further down — so duplicates hide the real configuration from reviewers.',
  },
  *check({ file }) {
    const data = postfixDataOf(file);
    if (data === undefined) return;
    // A byte order mark is invisible in an editor, but Postfix reads it into the first name, so
    // that definition is ignored like an overridden one (the evaluator reads it the same way).
    const own = data.kind === 'main.cf' ? data.instance.main : data.instance.master;
    for (const w of own.warnings) {
      if (w.message !== ORPHAN_LINE) continue;
      const text = file.text.slice(w.span.start, w.span.end).trim();
      yield {
        messageId: 'orphan',
        path: [],
        span: w.span,
        data: {
          text: visible(text.length > 60 ? `${text.slice(0, 57)}...` : text),
          advice:
            data.kind === 'main.cf'
              ? 'Remove the indentation to make it a line of its own, or remove it.'
              : 'Move it under the service line it belongs to, or remove it.',
        },
      };
    }
    const first = data.kind === 'main.cf' ? data.instance.main.defs[0] : undefined;
    if (first !== undefined && first.name.startsWith(BOM) && first.nameSpan.start === 0) {
      yield {
        messageId: 'bom',
        path: [],
        span: first.nameSpan,
        severity: 'medium',
        data: { name: first.name.slice(1), shown: visible(first.name) },
        fixes: [
          {
            title: 'Remove the byte order mark',
            // The definition takes effect once the mark is gone: a change of behaviour.
            safe: false,
            preferred: true,
            edits: [{ span: { start: 0, end: 1 }, text: '' }],
          },
        ],
      };
    }
    // In a template, two definitions may sit in different `{% if %}` branches.
    if (data.kind === 'main.cf' ? data.instance.main.template : data.instance.master.template)
      return;
    const groups: { defs: readonly PfParamDef[]; service?: string }[] =
      data.kind === 'main.cf'
        ? [{ defs: data.instance.main.defs }]
        : data.instance.stockMaster
          ? []
          : data.instance.master.services.map((s) => ({
              defs: s.overrides,
              service: s.service.text,
            }));
    for (const { defs, service } of groups) {
      const last = new Map<string, PfParamDef>();
      for (const d of defs) last.set(d.name, d);
      for (const d of defs) {
        const later = last.get(d.name);
        if (later === undefined || later === d) continue;
        const line = lineAt(file.lineStarts, later.nameSpan.start);
        const value = d.value.length > 60 ? `${d.value.slice(0, 57)}...` : d.value;
        yield {
          messageId: service === undefined ? 'main' : 'override',
          path: [],
          span: d.nameSpan,
          data: { name: d.name, line, value, service: service ?? '' },
          related: related(data, [
            {
              where: { span: later.nameSpan, file: later.file },
              message: 'the definition that wins',
            },
          ]),
          fixes: [
            {
              title: `Remove the earlier definition of ${d.name}`,
              safe: true,
              preferred: true,
              edits: removal(file.text, d),
            },
          ],
        };
      }
    }
  },
});
