import type { Span, TextEdit } from '../../../model.js';
import { defineRule } from '../../../rule.js';
import { postfixDataOf } from '../file-data.js';
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
    },
    rationale:
      'Postfix remembers only the last definition of a parameter. An earlier one still reads as the setting to whoever finds it first — `mynetworks = 127.0.0.0/8` at the top means nothing when `mynetworks = 0.0.0.0/0` follows further down — so duplicates hide the real configuration from reviewers.',
  },
  *check({ file }) {
    const data = postfixDataOf(file);
    if (data === undefined) return;
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
