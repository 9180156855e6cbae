import type { Thresholds } from './config/thresholds.js';
import { fingerprintOf } from './fingerprint.js';
import type {
  ConfigDocument,
  Finding,
  Fix,
  JsonPath,
  ParsedFile,
  RelatedLocation,
  Severity,
  Span,
  SyntaxNode,
} from './model.js';
import type { IntervalSet } from './net/interval-set.js';
import { trustModel } from './relay/analysis.js';
import { viewOf } from './relay/view.js';
import { interpolate, type Report, type Rule, type RuleContext } from './rule.js';
import { catalog, ruleByToken } from './rules/index.js';
import { schemaReports } from './schema/to-report.js';
import { applySuppressions } from './suppress.js';
import { lineOf } from './text.js';

export type RuleSetting = Severity | 'off';

export interface LintConfig {
  /** Severity or off per rule id (names are resolved to ids by the config loader). */
  readonly rules?: ReadonlyMap<string, RuleSetting>;
  /** Rules suppressed for this file by an override, with the override's reason. */
  readonly suppressed?: ReadonlyMap<string, string>;
  readonly trustedNetworks?: readonly IntervalSet[];
  readonly thresholds?: Thresholds;
}

export interface LintOptions {
  readonly config?: LintConfig;
  /** Path used in fingerprints (relative, with `/`); defaults to the file's uri. */
  readonly fingerprintPath?: string;
  /** Rules to run; defaults to the whole catalog. */
  readonly rules?: readonly Rule[];
}

const SYNTAX = 'RLY099';
const SCHEMA = 'RLY000';

/** Lints one parsed file: syntax → schema → rules → suppressions → sorted findings. */
export function lint(file: ParsedFile, options: LintOptions = {}): Finding[] {
  const config = options.config ?? {};
  const rules = options.rules ?? catalog;
  const builder = new FindingBuilder(file, config, options.fingerprintPath ?? file.uri);
  if (file.problems.length > 0) {
    for (const p of file.problems)
      builder.add(
        SYNTAX,
        { messageId: 'syntax', path: [], span: p.span, data: { message: p.message } },
        undefined,
      );
    return builder.finish(false);
  }
  const trust = trustModel(config.trustedNetworks ?? []);
  for (const doc of file.documents) {
    if (setting(config, SCHEMA) !== 'off') {
      for (const r of schemaReports(file, doc)) builder.add(SCHEMA, r, doc);
    }
    const ctx: RuleContext = {
      file,
      doc,
      view: viewOf(doc),
      trust,
      thresholds: config.thresholds ?? {},
    };
    for (const rule of rules) {
      if (
        rule.meta.id === SCHEMA ||
        rule.meta.id === SYNTAX ||
        setting(config, rule.meta.id) === 'off'
      )
        continue;
      try {
        for (const r of rule.check(ctx)) builder.add(rule.meta.id, r, doc);
      } catch (error) {
        // A rule that throws must not take the file down: say so and go on.
        builder.internal(rule, error, doc);
      }
    }
  }
  return builder.finish(true);
}

function setting(config: LintConfig, id: string): RuleSetting | undefined {
  return config.rules?.get(id);
}

interface Located {
  readonly node: SyntaxNode;
  readonly keySpan?: Span;
}

class FindingBuilder {
  private readonly findings: Finding[] = [];

  constructor(
    private readonly file: ParsedFile,
    private readonly config: LintConfig,
    private readonly fingerprintPath: string,
  ) {}

  add(ruleId: string, report: Report<string>, doc: ConfigDocument | undefined): void {
    const rule = ruleByToken(ruleId);
    if (rule === undefined) return;
    const configured = setting(this.config, ruleId);
    if (configured === 'off') return;
    const template = rule.meta.messages[report.messageId] ?? report.messageId;
    const span = report.span ?? this.spanOf(doc?.root, report.path, report.at ?? 'value', doc);
    const related: RelatedLocation[] = (report.related ?? []).map((r) => ({
      span: this.spanOf(doc?.root, r.path, r.at ?? 'value', doc),
      message: r.message,
    }));
    const suppressedBy = this.config.suppressed?.get(ruleId);
    this.findings.push({
      ruleId,
      rule: rule.meta.name,
      severity: configured ?? report.severity ?? rule.meta.severity,
      message: interpolate(template, report.data),
      span,
      document: doc?.index ?? 0,
      path: report.path,
      related,
      fixes: (report.fixes ?? []).map(normaliseFix),
      tags: rule.meta.tags ?? [],
      suppressed: suppressedBy !== undefined,
      ...(suppressedBy !== undefined ? { suppressedBy } : {}),
      ...(report.data !== undefined ? { data: report.data } : {}),
      fingerprint: fingerprintOf({
        ruleId,
        file: this.fingerprintPath,
        document: doc?.index ?? 0,
        path: report.path,
        value: this.file.text.slice(span.start, span.end),
      }),
    });
  }

  internal(rule: Rule, error: unknown, doc: ConfigDocument): void {
    const message = error instanceof Error ? error.message : String(error);
    this.findings.push({
      ruleId: 'internal',
      rule: 'internal-error',
      severity: 'high',
      message: `Rule ${rule.meta.id} (${rule.meta.name}) failed on this document: ${message}. Please report it; the other rules ran.`,
      span: { start: doc.span.start, end: doc.span.start },
      document: doc.index,
      path: [],
      related: [],
      fixes: [],
      tags: [],
      suppressed: false,
      fingerprint: fingerprintOf({
        ruleId: 'internal',
        file: this.fingerprintPath,
        document: doc.index,
        path: [rule.meta.id],
        value: '',
      }),
    });
  }

  /** The span of the key or value at `path`; a missing node falls back to its nearest ancestor. */
  private spanOf(
    root: SyntaxNode | undefined,
    path: JsonPath,
    at: 'key' | 'value',
    doc: ConfigDocument | undefined,
  ): Span {
    if (root === undefined) return firstLine(this.file, doc);
    const index = this.indexOf(root);
    // The node at `path`, or its deepest existing ancestor when the path runs off the tree.
    for (let n = path.length; n >= 0; n--) {
      const hit = index.get(JSON.stringify(n === path.length ? path : path.slice(0, n)));
      if (hit === undefined) continue;
      if (at === 'key' && n === path.length && hit.keySpan !== undefined) return hit.keySpan;
      return hit.node.span;
    }
    return root.span;
  }

  private readonly indexes = new Map<SyntaxNode, Map<string, Located>>();

  /**
   * Every node of a document by its JSON path, built once: a file with thousands of findings
   * must not walk the tree once per finding.
   */
  private indexOf(root: SyntaxNode): Map<string, Located> {
    let index = this.indexes.get(root);
    if (index !== undefined) return index;
    index = new Map();
    const stack: Located[] = [{ node: root }];
    while (stack.length > 0) {
      const item = stack.pop() as Located;
      // Later entries win, as in YAML and JSON loaders (and `child()`): set in document order.
      index.set(JSON.stringify(item.node.path), item);
      if (item.node.kind === 'array')
        for (const c of [...item.node.items].reverse()) stack.push({ node: c });
      else if (item.node.kind === 'object')
        for (const e of [...item.node.entries].reverse())
          stack.push({ node: e.value, keySpan: e.keySpan });
    }
    this.indexes.set(root, index);
    return index;
  }

  finish(withSuppressions: boolean): Finding[] {
    const all = withSuppressions
      ? applySuppressions(this.file, this.findings, this.config, this.fingerprintPath)
      : this.findings;
    return all
      .map((f) => withSuppressionKind(f, this.config))
      .sort(
        (a, b) =>
          a.span.start - b.span.start ||
          a.span.end - b.span.end ||
          a.ruleId.localeCompare(b.ruleId),
      );
  }
}

/** An override's suppression wins over a directive's (see suppress.ts), so it decides the kind. */
function withSuppressionKind(f: Finding, config: LintConfig): Finding {
  if (!f.suppressed) return f;
  const external = config.suppressed?.has(f.ruleId) === true;
  return { ...f, suppressionKind: external ? 'external' : 'inSource' };
}

function normaliseFix(f: Fix): Fix {
  return { ...f, edits: [...f.edits].sort((a, b) => a.span.start - b.span.start) };
}

/** The first line of a document, for findings about the document as a whole. */
export function firstLine(file: ParsedFile, doc: ConfigDocument | undefined): Span {
  const start = doc?.span.start ?? 0;
  const line = lineOf(file.lineStarts, start);
  const lineEnd = (file.lineStarts[line + 1] ?? file.text.length + 1) - 1;
  let end = Math.max(start, Math.min(lineEnd, file.text.length));
  while (end > start && /[\r\n]/.test(file.text[end - 1] ?? '')) end--;
  return { start, end };
}
