import type {
  Fix,
  FindingTag,
  JsonPath,
  ParsedFile,
  ConfigDocument,
  Severity,
  Span,
} from './model.js';
import type { DocumentView } from './relay/view.js';
import type { TrustModel } from './relay/analysis.js';
import type { Thresholds } from './config/thresholds.js';

export interface RuleMeta<MessageId extends string> {
  /** Spec code, e.g. RLY004. */
  readonly id: string;
  /** Stable kebab-case name; also the file name and a suppression token. */
  readonly name: string;
  /** One line, sentence case, no trailing period. */
  readonly title: string;
  readonly category: 'security' | 'correctness' | 'hygiene';
  readonly severity: Severity;
  /** Present when some report carries a fix: 'safe' when a safe one exists. */
  readonly fixable?: 'safe' | 'unsafe';
  readonly tags?: readonly FindingTag[];
  /** Full sentences with `{name}` placeholders. */
  readonly messages: Readonly<Record<MessageId, string>>;
  /** Why it matters; the first paragraph of the documentation page and SARIF fullDescription. */
  readonly rationale: string;
}

export interface RelatedReport {
  readonly path: JsonPath;
  readonly at?: 'key' | 'value';
  readonly message: string;
}

export interface Report<MessageId extends string> {
  readonly messageId: MessageId;
  readonly path: JsonPath;
  /** Underline the key rather than the value. */
  readonly at?: 'key' | 'value';
  /** An explicit span (comments, document starts) instead of a path. */
  readonly span?: Span;
  /** Overrides the rule's default severity for this report (before configuration). */
  readonly severity?: Severity;
  readonly data?: Readonly<Record<string, string | number>>;
  readonly fixes?: readonly Fix[];
  readonly related?: readonly RelatedReport[];
  /** A finished message that replaces the rule's template (a native format's own wording). */
  readonly message?: string;
  /** A shell command that fixes the finding (see `Finding.remediation`). */
  readonly remediation?: string;
}

export interface RuleContext {
  readonly file: ParsedFile;
  readonly doc: ConfigDocument;
  readonly view: DocumentView;
  readonly trust: TrustModel;
  readonly thresholds: Thresholds;
}

export interface Rule<MessageId extends string = string> {
  readonly meta: RuleMeta<MessageId>;
  check(ctx: RuleContext): Iterable<Report<MessageId>>;
}

/** Identity at run time; at compile time it pins message ids to `meta.messages`. */
export function defineRule<const M extends string>(rule: {
  readonly meta: RuleMeta<M>;
  check(ctx: RuleContext): Iterable<Report<NoInfer<M>>>;
}): Rule<M> {
  return rule;
}

/** Replaces `{name}` placeholders; an unknown name stays visible so tests catch it. */
export function interpolate(
  template: string,
  data: Readonly<Record<string, string | number>> = {},
): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => {
    const v = data[k];
    return v === undefined ? m : String(v);
  });
}
