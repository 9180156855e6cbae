/**
 * `explainPostfix(mainCfText, masterCfText | undefined, question, readFile?)`: the answer of
 * every smtpd listener of an instance, for `relay-lint explain` and the oracle test.
 */
import type { ExplainQuestion, ListenerAnswer, TraceStep } from '../types.js';
import { buildInstance } from './instance.js';
import { parseMainCf } from './main-cf.js';
import { parseMasterCf } from './master-cf.js';
import type { PfFileKind, PostfixAnswer, PostfixInstance, TableReader } from './model.js';
import { evaluate, type PostfixQuestion } from './restrictions.js';

export interface ExplainOptions {
  /** Read the texts as Jinja templates (`*.j2`); undefined = detect. */
  readonly template?: boolean;
}

/** Parses an instance from its texts (a main.cf alone gets the stock master.cf). */
export function instanceFromTexts(
  mainCfText: string,
  masterCfText: string | undefined,
  readFile?: TableReader,
  options: ExplainOptions = {},
): PostfixInstance {
  const opts = options.template !== undefined ? { template: options.template } : {};
  const main = parseMainCf(mainCfText, opts);
  const master = masterCfText !== undefined ? parseMasterCf(masterCfText, opts) : undefined;
  return buildInstance(main, master, readFile);
}

/** Answers the question for every listener of the instance. */
export function explainInstance(
  instance: PostfixInstance,
  question: ExplainQuestion | PostfixQuestion,
): PostfixAnswer[] {
  return instance.listeners.map((l) => evaluate(instance, l, question));
}

export function explainPostfix(
  mainCfText: string,
  masterCfText: string | undefined,
  question: ExplainQuestion | PostfixQuestion,
  readFile?: TableReader,
): ListenerAnswer[] {
  return explainInstance(instanceFromTexts(mainCfText, masterCfText, readFile), question);
}

/**
 * Re-labels trace steps for the file being linted: a step in that file carries no `file`; a step
 * in the other file names it (`main.cf` / `master.cf`, relative to the linted file's folder).
 */
export function traceForFile(answer: ListenerAnswer, linted: PfFileKind): ListenerAnswer {
  const trace: TraceStep[] = answer.trace.map((t) => {
    if (t.span === undefined) return t;
    const where: PfFileKind = t.file === 'master.cf' ? 'master.cf' : 'main.cf';
    const rest: TraceStep = { item: t.item, span: t.span, result: t.result };
    return where === linted ? rest : { ...rest, file: where };
  });
  return { ...answer, trace };
}
