import type {
  ExplainOutcome,
  ExplainQuestion,
  ListenerAnswer,
} from '../../server/src/core/formats/types.js';
import type { CaseResult, ProbeResult, RealClass } from './types.js';

/** `explainPostfix(mainCfText, masterCfText, question, readFile?)` (formats/postfix/explain.ts). */
export type ExplainFn = (
  mainCf: string,
  masterCf: string | undefined,
  question: ExplainQuestion,
  readFile?: (path: string) => string | undefined,
) => readonly ListenerAnswer[];

export interface LinterView {
  readonly outcome: ExplainOutcome | 'no-answer' | 'crash';
  readonly reply: string | null;
  readonly reason: string;
  readonly listener: string;
  readonly trace: readonly string[];
}

export interface Verdict {
  readonly agree: boolean;
  /** Agreement through an `unknown` that names its input (SPEC §7.5): counted apart. */
  readonly viaUnknown: boolean;
  /** Both agree on the class but the reply codes differ (454 vs 554): informational. */
  readonly replyNote?: string;
}

/** The question the linter is asked for one probe (auth = the client tried the right password). */
export function questionOf(result: CaseResult, p: ProbeResult): ExplainQuestion {
  return {
    client: p.probe.client,
    to: p.probe.to,
    from: p.probe.from,
    auth: p.probe.auth === 'good',
    hostAddresses: result.hostAddresses,
  };
}

export function listenerFor(result: CaseResult, client: string): string {
  return client.includes(':') ? result.listeners.v6 : result.listeners.v4;
}

function sameListener(a: string, b: string): boolean {
  const norm = (s: string): string => s.replace(/^\[|\](?=:)/g, '').toLowerCase();
  return norm(a) === norm(b);
}

export function askLinter(explain: ExplainFn, result: CaseResult, p: ProbeResult): LinterView {
  const listener = listenerFor(result, p.probe.client);
  let answers: readonly ListenerAnswer[];
  try {
    answers = explain(result.mainCf, result.masterCf, questionOf(result, p), (path) =>
      Object.hasOwn(result.files, path) ? result.files[path] : undefined,
    );
  } catch (e) {
    return {
      outcome: 'crash',
      reply: null,
      reason: e instanceof Error ? (e.stack ?? e.message) : String(e),
      listener,
      trace: [],
    };
  }
  const a = answers.find((x) => sameListener(x.listener, listener));
  if (!a) {
    return {
      outcome: 'no-answer',
      reply: null,
      reason: `no answer for listener ${listener} (got: ${answers.map((x) => x.listener).join(', ') || 'none'})`,
      listener,
      trace: [],
    };
  }
  return {
    outcome: a.outcome,
    reply: a.reply,
    reason: a.reason,
    listener,
    trace: a.trace.map((t) => `${t.item} → ${t.result}`),
  };
}

/** Inputs a config names: parameter names set in the case part, table references, file paths. */
function inputsOf(mainCf: string): string[] {
  const casePart = mainCf.slice(mainCf.indexOf('# ---- case under test ----'));
  const out = new Set<string>();
  for (const m of casePart.matchAll(/^([a-z_0-9]+)\s*=/gm)) if (m[1]) out.add(m[1]);
  for (const m of casePart.matchAll(/\b[a-z]+:[^\s,}]+/g)) out.add(m[0]);
  for (const m of casePart.matchAll(/(?:^|[\s,])(\/[^\s,]+)/g)) if (m[1]) out.add(m[1]);
  return [...out];
}

function replyCode(reply: string): string {
  return /^\d{3}/.exec(reply)?.[0] ?? 'none';
}

export function judge(
  real: RealClass,
  realReply: string,
  lin: LinterView,
  mainCf: string,
): Verdict {
  if (real === 'other') return { agree: false, viaUnknown: false };
  if (lin.outcome === 'unknown') {
    const named = inputsOf(mainCf).some((i) => lin.reason.includes(i));
    return { agree: named, viaUnknown: named };
  }
  if (lin.outcome !== real) return { agree: false, viaUnknown: false };
  const code = real === 'service-down' ? 'none' : replyCode(realReply);
  const replyNote =
    lin.reply !== null && lin.reply !== code
      ? `reply ${code} real, ${lin.reply} linter`
      : undefined;
  return replyNote === undefined
    ? { agree: true, viaUnknown: false }
    : { agree: true, viaUnknown: false, replyNote };
}
