import type * as Sarif from 'sarif';
import type { Finding, Severity, Span } from '../model.js';
import type { Rule } from '../rule.js';
import { catalog } from '../rules/index.js';
import { spanToRange } from '../text.js';
import { TOOL } from './json.js';
import { lineHashes } from './line-hash.js';
import { type FileResult, sortResults } from './result.js';

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/relay-lint/relay-lint';

/** Where a rule's documentation page is published (docs/rules/<ID>.md on the main branch). */
export function ruleHelpUri(ruleId: string): string {
  return `${INFORMATION_URI}/blob/main/docs/rules/${ruleId}.md`;
}

/** SPEC §2: critical/high → error, medium → warning, low/info → note. */
export const SARIF_LEVEL: Readonly<Record<Severity, Sarif.ReportingConfiguration.level>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** SPEC §2: GitHub maps these to Critical (≥ 9.0), High (≥ 7.0), Medium (≥ 4.0) and Low. */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};

/** Key of our own fingerprint in `partialFingerprints`; bump the version if its recipe changes. */
export const FINGERPRINT_KEY = 'relayLint/v1';

export interface SarifNotification {
  readonly message: string;
  /** Relative path with `/`, when the problem concerns one file. */
  readonly path?: string;
}

export interface SarifOptions {
  /** Keep suppressed findings, each with its `suppressions` entry (default: left out). */
  readonly includeSuppressed?: boolean;
  /** Each rule's documentation page (Markdown) by rule id; a rule without one gets its rationale. */
  readonly docs?: ReadonlyMap<string, string>;
  /** Problems of the run that are not findings, such as files that could not be read. */
  readonly notifications?: readonly SarifNotification[];
  /** Absolute `file:` URI of the folder that paths are relative to (`%SRCROOT%`), if known. */
  readonly srcRootUri?: string;
  /** The rules to describe; defaults to the whole catalog. */
  readonly rules?: readonly Rule[];
}

const SRCROOT = '%SRCROOT%';

/**
 * SARIF 2.1.0 for GitHub code scanning: one run, every rule described with help and
 * `security-severity`, 1-based regions in UTF-16 code units, line-hash and own fingerprints.
 * Findings of the engine's `internal` pseudo-rule are tool notifications, not results.
 */
export function toSarif(results: readonly FileResult[], options: SarifOptions = {}): Sarif.Log {
  const sorted = sortResults(results);
  const rules = describeRules(sorted, options);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const sarifResults: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = (options.notifications ?? []).map((n) => ({
    level: 'error',
    message: { text: n.message },
    ...(n.path !== undefined
      ? { locations: [{ physicalLocation: { artifactLocation: artifact(n.path) } }] }
      : {}),
  }));
  for (const r of sorted) {
    let hashes: string[] | undefined;
    for (const f of r.findings) {
      if (f.ruleId === 'internal') {
        notifications.push({
          level: 'error',
          message: { text: f.message },
          locations: [location(r, f.span)],
        });
        continue;
      }
      if (f.suppressed && options.includeSuppressed !== true) continue;
      hashes ??= lineHashes(r.file.text);
      sarifResults.push(toResult(r, f, index.get(f.ruleId) ?? 0, hashes));
    }
  }
  const run: Sarif.Run = {
    tool: {
      driver: {
        name: TOOL.name,
        version: TOOL.version,
        semanticVersion: TOOL.version,
        informationUri: INFORMATION_URI,
        rules,
      },
    },
    invocations: [
      {
        executionSuccessful: notifications.length === 0,
        ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
      },
    ],
    ...(options.srcRootUri !== undefined
      ? { originalUriBaseIds: { [SRCROOT]: { uri: withSlash(options.srcRootUri) } } }
      : {}),
    columnKind: 'utf16CodeUnits',
    results: sarifResults,
  };
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

function toResult(r: FileResult, f: Finding, ruleIndex: number, hashes: string[]): Sarif.Result {
  const primary = location(r, f.span);
  const startLine = primary.physicalLocation?.region?.startLine ?? 1;
  const suppression: Sarif.Suppression = {
    // No `status`: errata 01 added it, and schema copies from before it reject the property.
    kind: f.suppressionKind ?? 'inSource',
    ...(f.suppressedBy !== undefined ? { justification: f.suppressedBy } : {}),
  };
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: SARIF_LEVEL[f.severity],
    message: { text: f.message },
    locations: [primary],
    ...(f.related.length > 0
      ? {
          relatedLocations: f.related.map((x, id) => ({
            id,
            ...location(r, x.span),
            message: { text: x.message },
          })),
        }
      : {}),
    partialFingerprints: {
      // A line past the hashed text cannot happen (spans lie inside the text); be safe anyway.
      primaryLocationLineHash: hashes[startLine - 1] ?? hashes[hashes.length - 1] ?? '0:1',
      [FINGERPRINT_KEY]: f.fingerprint,
    },
    ...(f.fixes.length > 0 || f.remediation !== undefined
      ? {
          fixes: [
            ...f.fixes.map((x) => ({
              description: { text: x.title },
              artifactChanges: [
                {
                  artifactLocation: artifact(r.path),
                  replacements: x.edits.map((e) => ({
                    deletedRegion: region(r, e.span),
                    insertedContent: { text: e.text },
                  })),
                },
              ],
              properties: { safe: x.safe, preferred: x.preferred },
            })),
            ...remediationFix(r, f),
          ],
        }
      : {}),
    ...(f.suppressed ? { suppressions: [suppression] } : {}),
    properties: { severity: f.severity, ...(f.tags.length > 0 ? { tags: [...f.tags] } : {}) },
  };
}

function location(r: FileResult, span: Span): Sarif.Location {
  return { physicalLocation: { artifactLocation: artifact(r.path), region: region(r, span) } };
}

function region(r: FileResult, span: Span): Sarif.Region {
  const { start, end } = spanToRange(r.file.lineStarts, span);
  return {
    startLine: start.line,
    startColumn: start.column,
    endLine: end.line,
    endColumn: end.column,
  };
}

/** A relative path as a URI reference: each segment percent-encoded, `/` kept. */
function artifact(path: string): Sarif.ArtifactLocation {
  return { uri: path.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function withSlash(uri: string): string {
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function describeRules(
  results: readonly FileResult[],
  options: SarifOptions,
): Sarif.ReportingDescriptor[] {
  const known = [...(options.rules ?? catalog)].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
  const out = known.map((rule) => describeRule(rule, options.docs?.get(rule.meta.id)));
  // A finding of a rule outside the list (a caller's reduced rule set) still needs a descriptor.
  const seen = new Set(out.map((d) => d.id));
  for (const r of results) {
    for (const f of r.findings) {
      if (f.ruleId === 'internal' || seen.has(f.ruleId)) continue;
      seen.add(f.ruleId);
      out.push({
        id: f.ruleId,
        name: f.rule,
        shortDescription: { text: f.rule },
        helpUri: ruleHelpUri(f.ruleId),
        defaultConfiguration: { level: SARIF_LEVEL[f.severity] },
        properties: { tags: ['security'], 'security-severity': SECURITY_SEVERITY[f.severity] },
      });
    }
  }
  return out;
}

function describeRule(rule: Rule, doc: string | undefined): Sarif.ReportingDescriptor {
  const { id, name, title, category, severity, rationale } = rule.meta;
  const helpUri = ruleHelpUri(id);
  const markdown =
    doc !== undefined && doc.trim() !== ''
      ? doc.trimEnd()
      : `# ${id} ${name}\n\n${title}.\n\n${rationale}\n\nSee the [rule documentation](${helpUri}).`;
  return {
    id,
    name,
    shortDescription: { text: title },
    fullDescription: { text: rationale },
    help: { text: markdownToText(markdown), markdown },
    helpUri,
    defaultConfiguration: { level: SARIF_LEVEL[severity] },
    properties: {
      tags: category === 'security' ? ['security'] : ['security', category],
      'security-severity': SECURITY_SEVERITY[severity],
      precision: precisionOf(rule),
    },
  };
}

/**
 * `very-high` when a finding states a fact about the text (syntax, schema, address notation,
 * duplicates); `high` when it judges risk from the file alone, and a firewall or a network the
 * file does not describe could make the configuration safe after all.
 */
function precisionOf(rule: Rule): 'very-high' | 'high' {
  return rule.meta.category === 'security' ? 'high' : 'very-high';
}

/** Plain text for `help.text`: the Markdown without its markup (headings, emphasis, links). */
export function markdownToText(markdown: string): string {
  return markdown
    .split(/\r?\n/)
    .filter((line) => !/^\s*(```|~~~)/.test(line))
    .map((line) =>
      line
        .replace(/^#{1,6}\s+/, '')
        .replace(/!?\[([^\]]*)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) =>
          label === '' || label === url ? url : `${label} (${url})`,
        )
        .replace(/(\*\*|__)(.+?)\1/g, '$2')
        .replace(/`([^`]+)`/g, '$1'),
    )
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * A command that fixes the finding on the server (Exchange): the command is the fix's
 * description. SARIF 2.1.0 requires every fix to have at least one artifact change, so it carries
 * one that changes nothing (an empty region, nothing inserted): the export is not the server,
 * and no tool applying fixes may edit it.
 */
function remediationFix(r: FileResult, f: Finding): Sarif.Fix[] {
  if (f.remediation === undefined) return [];
  const at = { start: f.span.start, end: f.span.start };
  return [
    {
      description: { text: f.remediation },
      artifactChanges: [
        {
          artifactLocation: artifact(r.path),
          replacements: [{ deletedRegion: region(r, at) }],
        },
      ],
      properties: { safe: false, preferred: false, remediation: true },
    },
  ];
}
