/**
 * master.cf parser: `parseMasterCf(text, options?) → MasterCf`.
 *
 * As master/master_ent.c reads it: logical lines (lines.ts), fields separated by blanks, eight
 * fields (service type private unpriv chroot wakeup maxproc command), then arguments split by
 * blanks with `{ … }` kept as one argument (braces stripped, text trimmed: util/extpar.c).
 * `-o name=value` / `-o { name = value }` / `-oname=value` set a parameter for the service
 * (split_nameval as in main.cf).
 */
import type { Problem, Span } from '../../model.js';
import { tokenize } from './expand.js';
import { isSpace, mapSpan, neutraliseTemplate, scanLines, sliceSegments } from './lines.js';
import {
  clip,
  isNameValueError,
  looksBinary,
  parseNameValue,
  type ParseOptions,
  visible,
} from './main-cf.js';
import type { MasterCf, MasterService, PfParamDef, PfToken, Segment } from './model.js';

/** Postfix's stock master.cf as far as relaying goes: one smtpd on port 25. */
export const STOCK_MASTER_CF = 'smtp      inet  n       -       y       -       -       smtpd\n';

const BLANKS = ' \t\r\n';
const FIELD_NAMES = [
  'service',
  'type',
  'private',
  'unpriv',
  'chroot',
  'wakeup',
  'maxproc',
  'command',
] as const;
const KNOWN_TYPES = new Set(['inet', 'unix', 'unix-dgram', 'fifo', 'pass']);

export function parseMasterCf(text: string, options: ParseOptions = {}): MasterCf {
  if (looksBinary(text)) {
    const nl = text.indexOf('\n');
    return {
      text,
      services: [],
      comments: [],
      problems: [
        {
          message: 'This is not a text file (it holds NUL bytes): it is not a Postfix master.cf.',
          span: { start: 0, end: Math.min(nl < 0 ? text.length : nl, 200) },
        },
      ],
      warnings: [],
      template: false,
      binary: true,
    };
  }
  const tpl = options.template === false ? undefined : neutraliseTemplate(text);
  const template = tpl?.found === true;
  const source = tpl?.text ?? text;
  const scan = scanLines(source);
  const services: MasterService[] = [];
  const problems: Problem[] = [];
  for (const line of scan.lines) {
    const toks = tokenize(line.text, BLANKS);
    const fieldToks = toks.slice(0, 8);
    const tokens: PfToken[] = fieldToks.map(([s, e]) => ({
      text: line.text.slice(s, e),
      span: mapSpan(line.segments, s, e),
    }));
    if (tokens.length < 8) {
      problems.push({
        message: `A master.cf service line needs 8 fields (service type private unpriv chroot wakeup maxproc command); this one has ${tokens.length}: "${FIELD_NAMES[tokens.length] ?? 'command'}" is missing.`,
        span: line.firstLine,
      });
      continue;
    }
    const [service, type, priv, unpriv, chroot, wakeup, maxproc, command] = tokens as [
      PfToken,
      PfToken,
      PfToken,
      PfToken,
      PfToken,
      PfToken,
      PfToken,
      PfToken,
    ];
    if (!KNOWN_TYPES.has(type.text)) {
      problems.push({
        message: `Unknown service type "${type.text}" (inet, unix, unix-dgram, fifo or pass): the master refuses to start.`,
        span: type.span,
      });
    }
    if (type.text === 'inet' && priv.text !== 'n') {
      problems.push({
        message: `An inet service cannot be private: the private field must be "n" (here "${priv.text}"; "-" means y).`,
        span: priv.span,
      });
    }
    const args: PfToken[] = [];
    const overrides: PfParamDef[] = [];
    const rest = toks.slice(8);
    for (let i = 0; i < rest.length; i++) {
      const [s, e] = rest[i] as [number, number];
      const raw = line.text.slice(s, e);
      args.push({ text: raw, span: mapSpan(line.segments, s, e) });
      let argStart: number | undefined;
      let argEnd = 0;
      let optStart = s;
      if (raw === '-o' && i + 1 < rest.length) {
        const nextTok = rest[i + 1] as [number, number];
        argStart = nextTok[0];
        argEnd = nextTok[1];
        args.push({
          text: line.text.slice(argStart, argEnd),
          span: mapSpan(line.segments, argStart, argEnd),
        });
        i++;
      } else if (raw.startsWith('-o') && raw.length > 2) {
        argStart = s + 2;
        argEnd = e;
      } else if (raw === '-o') {
        problems.push({
          message: '"-o" needs a "name=value" argument after it.',
          span: mapSpan(line.segments, s, e),
        });
      }
      if (argStart === undefined) continue;
      optStart = s;
      let vs = argStart;
      let ve = argEnd;
      if (line.text[vs] === '{') {
        // extpar(): the "}" that balances the first "{" must end the value (balpar()); then
        // strip the braces, then blanks.
        const close = balancedEnd(line.text, vs, ve);
        if (close === undefined || close !== ve) {
          const shown = visible(clip(line.text.slice(vs, ve)));
          problems.push({
            message:
              close === undefined
                ? `A "-o { … }" value is missing its closing "}": "${shown}".`
                : `A "-o { … }" value has text after its closing "}": "${shown}".`,
            span: mapSpan(line.segments, vs, ve),
          });
          continue;
        }
        vs++;
        ve--;
        while (vs < ve && isSpace(line.text[vs])) vs++;
        while (ve > vs && isSpace(line.text[ve - 1])) ve--;
      }
      const segs: Segment[] = sliceSegments(line.segments, vs, ve);
      const parsed = parseNameValue(
        line.text.slice(vs, ve),
        segs,
        'master.cf',
        overrides.length,
        template,
        mapSpan(line.segments, optStart, argEnd),
      );
      if (isNameValueError(parsed)) {
        const shown = visible(clip(line.text.slice(vs, ve)));
        problems.push({
          message:
            parsed.error === 'no-name'
              ? `"-o ${shown}" is not "name=value": the parameter name before "=" is missing.`
              : `"-o ${shown}" is not "name=value": there is no "=" after "${visible(clip(parsed.text))}".`,
          span: mapSpan(line.segments, argStart, argEnd),
        });
        continue;
      }
      overrides.push(parsed);
    }
    services.push({
      service,
      type,
      private: priv,
      unpriv,
      chroot,
      wakeup,
      maxproc,
      command,
      args,
      overrides,
      span: line.span,
      index: services.length,
    });
  }
  return {
    text,
    services,
    comments: scan.comments.map((c) => ({
      ...c,
      text: text.slice(c.span.start + 1, c.span.end),
    })),
    problems,
    warnings: [...scan.warnings],
    template,
    binary: false,
  };
}

/**
 * balpar(): the end (exclusive) of the brace group opening at `start`, or undefined when the
 * group is not closed before `end`.
 */
function balancedEnd(text: string, start: number, end: number): number | undefined {
  let level = 0;
  for (let i = start; i < end; i++) {
    if (text[i] === '{') level++;
    else if (text[i] === '}' && --level === 0) return i + 1;
  }
  return undefined;
}

/** The span of a whole service line's first physical line (for service-level findings). */
export function serviceSpan(s: MasterService): Span {
  return { start: s.service.span.start, end: s.command.span.end };
}
