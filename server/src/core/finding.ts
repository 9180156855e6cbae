import { fingerprintOf } from './fingerprint.js';
import type { LintConfig } from './lint-config.js';
import type {
  Finding,
  FindingTag,
  Fix,
  JsonPath,
  RelatedLocation,
  Severity,
  Span,
} from './model.js';

/**
 * Findings that come from Relay Lint itself failing (a rule that threw, a lint that timed out)
 * rather than from a rule: they are not rules of the catalog, so they cannot be configured or
 * suppressed, and every face shows them under this one id.
 */
export const INTERNAL = { id: 'internal', name: 'internal-error', severity: 'high' } as const;

/** The metadata of the rule a finding belongs to, as far as a finding needs it. */
export interface FindingRule {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  readonly tags?: readonly FindingTag[];
}

export interface FindingInput {
  readonly rule: FindingRule;
  readonly message: string;
  readonly span: Span;
  /** The file's path as reports show it (relative, with `/`), for the fingerprint. */
  readonly fingerprintPath: string;
  /** The text the fingerprint identifies the finding by (the node's value, or the message). */
  readonly fingerprintValue: string;
  readonly config?: LintConfig;
  readonly document?: number;
  readonly path?: JsonPath;
  /** A report's own severity (before configuration). */
  readonly severity?: Severity;
  readonly related?: readonly RelatedLocation[];
  readonly fixes?: readonly Fix[];
  readonly data?: Readonly<Record<string, string | number>>;
  readonly remediation?: string;
}

/**
 * The one way to make a finding: configured severity over the report's over the rule's, an
 * override's suppression, a fingerprint of rule, file, document, path and value. Undefined when
 * the configuration turns the rule off.
 */
export function makeFinding(input: FindingInput): Finding | undefined {
  const { rule, config } = input;
  const configured = config?.rules?.get(rule.id);
  if (configured === 'off') return undefined;
  const suppressedBy = config?.suppressed?.get(rule.id);
  const document = input.document ?? 0;
  const path = input.path ?? [];
  return {
    ruleId: rule.id,
    rule: rule.name,
    severity: configured ?? input.severity ?? rule.severity,
    message: input.message,
    span: input.span,
    document,
    path,
    related: input.related ?? [],
    fixes: (input.fixes ?? []).map(sortedEdits),
    tags: rule.tags ?? [],
    suppressed: suppressedBy !== undefined,
    ...(suppressedBy !== undefined ? { suppressedBy } : {}),
    ...(input.data !== undefined ? { data: input.data } : {}),
    ...(input.remediation !== undefined ? { remediation: input.remediation } : {}),
    fingerprint: fingerprintOf({
      ruleId: rule.id,
      file: input.fingerprintPath,
      document,
      path,
      value: input.fingerprintValue,
    }),
  };
}

/** A finding about Relay Lint failing on a file; never off, never suppressed. */
export function internalFinding(
  message: string,
  span: Span,
  fingerprintPath: string,
  detail: { readonly document?: number; readonly path?: JsonPath } = {},
): Finding {
  const finding = makeFinding({
    rule: INTERNAL,
    message,
    span,
    fingerprintPath,
    fingerprintValue: message,
    ...detail,
  });
  // INTERNAL is in no configuration, so makeFinding cannot turn it off.
  if (finding === undefined) throw new Error('internal findings cannot be turned off');
  return finding;
}

function sortedEdits(f: Fix): Fix {
  return { ...f, edits: [...f.edits].sort((a, b) => a.span.start - b.span.start) };
}
