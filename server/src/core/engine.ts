import { internalFinding, makeFinding } from './finding.js';
import { nativeFormatByTag } from './formats/index.js';
import type { LintConfig, LintOptions, RuleSetting } from './lint-config.js';
import type { ConfigDocument, Finding, JsonPath, ParsedFile, Span, SyntaxNode } from './model.js';
import { trustModel } from './relay/analysis.js';
import { viewOf } from './relay/view.js';
import { interpolate, type Report, type Rule, type RuleContext } from './rule.js';
import { catalog, ruleByToken } from './rules/index.js';
import schemaRule from './rules/schema.js';
import syntaxRule from './rules/syntax.js';
import { schemaReports } from './schema/to-report.js';
import { firstLine } from './spans.js';
import { applySuppressions } from './suppress.js';
import { errorMessage } from './errors.js';

export type { LintConfig, LintOptions, RuleSetting } from './lint-config.js';

const SYNTAX = syntaxRule.meta.id;
const SCHEMA = schemaRule.meta.id;

/**
 * Lints one parsed file: syntax → schema → rules → suppressions → sorted findings. Hosts call
 * `lintSource` (lint-source.ts), which parses the text in its format first; this is its second half.
 */
export function lintParsed(file: ParsedFile, options: LintOptions = {}): Finding[] {
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
  // A native file's model tree is built by its adapter, not written by a person: the schema
  // has nothing to say to the user about it.
  const native = nativeFormatByTag(file.format);
  for (const doc of file.documents) {
    if (native === undefined && setting(config, SCHEMA) !== 'off') {
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
        for (const r of rule.check(ctx)) {
          // A native format keeps, rewords, re-fixes or drops each report (formats/types.ts).
          const refined = native === undefined ? r : native.refine(rule.meta.id, r, file);
          if (refined !== undefined) builder.add(rule.meta.id, refined, doc);
        }
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
    const template = rule.meta.messages[report.messageId] ?? report.messageId;
    const span = report.span ?? this.spanOf(doc?.root, report.path, report.at ?? 'value', doc);
    const related = (report.related ?? []).map((r) => ({
      span: this.spanOf(doc?.root, r.path, r.at ?? 'value', doc),
      message: r.message,
    }));
    const finding = makeFinding({
      rule: rule.meta,
      message: report.message ?? interpolate(template, report.data),
      span,
      fingerprintPath: this.fingerprintPath,
      fingerprintValue: this.file.text.slice(span.start, span.end),
      config: this.config,
      document: doc?.index ?? 0,
      path: report.path,
      related,
      ...(report.severity !== undefined ? { severity: report.severity } : {}),
      ...(report.fixes !== undefined ? { fixes: report.fixes } : {}),
      ...(report.data !== undefined ? { data: report.data } : {}),
      ...(report.remediation !== undefined ? { remediation: report.remediation } : {}),
    });
    if (finding !== undefined) this.findings.push(finding);
  }

  internal(rule: Rule, error: unknown, doc: ConfigDocument): void {
    this.findings.push(
      internalFinding(
        `Rule ${rule.meta.id} (${rule.meta.name}) failed on this document: ${errorMessage(error)}. Please report it; the other rules ran.`,
        { start: doc.span.start, end: doc.span.start },
        this.fingerprintPath,
        { document: doc.index, path: [rule.meta.id] },
      ),
    );
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
