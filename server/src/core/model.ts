/** Half-open range of UTF-16 code-unit offsets into the file text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type JsonPath = readonly (string | number)[];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type SyntaxNode = ObjectNode | ArrayNode | ScalarNode;

interface NodeBase {
  readonly span: Span;
  readonly path: JsonPath;
}

export interface ObjectNode extends NodeBase {
  readonly kind: 'object';
  readonly entries: readonly Entry[];
}

export interface ArrayNode extends NodeBase {
  readonly kind: 'array';
  readonly items: readonly SyntaxNode[];
}

export interface ScalarNode extends NodeBase {
  readonly kind: 'scalar';
  readonly value: string | number | boolean | null;
  /**
   * The scalar as written in the file (without quotes for quoted strings). Address rules read
   * numbers from it: YAML turns an unquoted `10.10` into the number 10.1.
   */
  readonly source: string;
  /** True when the scalar was quoted (YAML) or is a JSON string. */
  readonly quoted: boolean;
}

export interface Entry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: SyntaxNode;
}

export interface Comment {
  /** Text after the `#`, untrimmed. */
  readonly text: string;
  /** Span of the whole comment including `#`. */
  readonly span: Span;
  /** 0-based line of the comment. */
  readonly line: number;
  /** True when code precedes the comment on its line. */
  readonly trailing: boolean;
  /**
   * Offset where `text` starts, when the comment marker is not one character (`<!--` in XML);
   * absent: one after `span.start` (`#`).
   */
  readonly textStart?: number;
}

export interface Problem {
  readonly message: string;
  readonly span: Span;
}

/** One configuration: a YAML document of a stream, or the whole JSON file. */
export interface ConfigDocument {
  readonly index: number;
  /** Span of the document in the file (for findings about the document as a whole). */
  readonly span: Span;
  readonly root: SyntaxNode | undefined;
}

/** One parsed file. Rules read it; nothing mutates it. */
export interface ParsedFile {
  readonly uri: string;
  /**
   * `yaml`/`json`: the relay model itself; the others are native files whose documents hold a
   * synthetic model tree with spans into the native text (see core/formats/types.ts).
   */
  readonly format: 'yaml' | 'json' | 'postfix-main' | 'postfix-master' | 'iis' | 'exchange';
  readonly text: string;
  readonly documents: readonly ConfigDocument[];
  /** Syntax errors; when there are any, schema and rules are not run. */
  readonly problems: readonly Problem[];
  readonly comments: readonly Comment[];
  /** Offsets at which each 0-based line starts. */
  readonly lineStarts: readonly number[];
}

export interface TextEdit {
  readonly span: Span;
  readonly text: string;
}

export interface Fix {
  readonly title: string;
  /** Safe fixes cannot change who may relay; only they run in fix-all and `--fix`. */
  readonly safe: boolean;
  readonly preferred: boolean;
  readonly edits: readonly TextEdit[];
}

export interface RelatedLocation {
  readonly span: Span;
  readonly message: string;
}

export type FindingTag = 'unnecessary';

export interface Finding {
  readonly ruleId: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  /** Document index in the stream and JSON path of the node the finding is about. */
  readonly document: number;
  readonly path: JsonPath;
  readonly related: readonly RelatedLocation[];
  readonly fixes: readonly Fix[];
  readonly tags: readonly FindingTag[];
  readonly suppressed: boolean;
  /** Why the finding is suppressed (directive reason or override reason). */
  readonly suppressedBy?: string;
  /** Where the suppression lives: a comment in the file, or an override in `.relay-lint.yaml`. */
  readonly suppressionKind?: 'inSource' | 'external';
  /**
   * The report's message data (`{listener}`, `{count}` …), for reporters that need the facts
   * behind the message, such as the audit report's open-relay table.
   */
  readonly data?: Readonly<Record<string, string | number>>;
  readonly fingerprint: string;
  /**
   * The exact command that fixes the finding where a text edit cannot (an Exchange export is not
   * the server): shown in the detail and hover, copied by a code action, in JSON and SARIF.
   */
  readonly remediation?: string;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

/** Lowers a severity by `steps`; nothing drops below info. */
export function lowerSeverity(s: Severity, steps: number): Severity {
  const i = Math.min(SEVERITIES.indexOf(s) + Math.max(steps, 0), SEVERITIES.length - 1);
  return SEVERITIES[i] ?? 'info';
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}
