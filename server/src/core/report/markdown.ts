import { type Finding, SEVERITIES, type Severity, severityRank } from '../model.js';
import { ruleByToken } from '../rules/index.js';
import { positionAt } from '../text.js';
import { escapeControl } from './control.js';
import { severityCounts, TOOL } from './json.js';
import { type FileResult, sortResults } from './result.js';
import { ruleHelpUri } from './sarif.js';

export interface MarkdownOptions {
  /** The report's heading (default "Relay Lint audit report"). */
  readonly title?: string;
  /**
   * Link target for a place in a file (a path relative to the report, or a URI); undefined or no
   * function prints the place as plain code.
   */
  readonly link?: (path: string, line: number) => string | undefined;
  /**
   * Paths that could not be linted, each with the reason (`cannot read a.relay.yaml: permission
   * denied`): a section of their own, and the summary says how many, as SARIF and the exit code
   * do.
   */
  readonly notLinted?: readonly string[];
}

const OPEN_RELAY = 'RLY001';

/**
 * The audit report a reviewer reads first: totals by severity and by rule, every listener that
 * is an open relay, then the findings of each file. Suppressed findings are listed (marked) but
 * not counted. Deterministic: no timestamps, files sorted by path, findings by position.
 */
export function toMarkdown(results: readonly FileResult[], options: MarkdownOptions = {}): string {
  const sorted = sortResults(results);
  const out: string[] = [`# ${options.title ?? 'Relay Lint audit report'}`, ''];
  const notLinted = options.notLinted ?? [];
  out.push(...summary(sorted, notLinted.length), '');
  out.push(...bySeverity(sorted), '');
  out.push(...byRule(sorted), '');
  out.push(...openRelays(sorted, options), '');
  out.push(...byFile(sorted, options));
  if (notLinted.length > 0) out.push('', ...notLintedSection(notLinted));
  return `${out.join('\n').trimEnd()}\n`;
}

function summary(results: readonly FileResult[], notLinted: number): string[] {
  const counts = severityCounts(results);
  const total = SEVERITIES.reduce((n, s) => n + counts[s], 0);
  const withFindings = results.filter((r) => r.findings.some((f) => !f.suppressed)).length;
  const suppressed = results.reduce((n, r) => n + r.findings.filter((f) => f.suppressed).length, 0);
  const files = plural(results.length, 'file');
  const head =
    total === 0
      ? `**No findings** in ${files}.`
      : `**${plural(total, 'finding')}** in ${withFindings === results.length ? files : `${withFindings} of ${files}`}: ${SEVERITIES.filter(
          (s) => counts[s] > 0,
        )
          .map((s) => `${counts[s]} ${s}`)
          .join(', ')}.`;
  const tail =
    suppressed > 0
      ? ` ${plural(suppressed, 'suppressed finding')} ${suppressed === 1 ? 'is' : 'are'} listed below but not counted.`
      : '';
  const missed =
    notLinted > 0
      ? ` **${plural(notLinted, 'path')} could not be linted** (see "Not linted" below).`
      : '';
  return [`${head}${tail}${missed}`, '', `Checked by ${TOOL.name} ${TOOL.version}.`];
}

function notLintedSection(problems: readonly string[]): string[] {
  return ['## Not linted', '', ...problems.map((p) => `- ${escape(p)}`)];
}

function bySeverity(results: readonly FileResult[]): string[] {
  const counts = severityCounts(results);
  return [
    '## Findings by severity',
    '',
    '| Severity | Findings |',
    '| --- | ---: |',
    ...SEVERITIES.map((s) => `| ${s} | ${counts[s]} |`),
  ];
}

interface RuleRow {
  readonly ruleId: string;
  readonly rule: string;
  count: number;
  suppressed: number;
  worst: Severity;
}

function byRule(results: readonly FileResult[]): string[] {
  const rows = new Map<string, RuleRow>();
  for (const f of results.flatMap((r) => r.findings)) {
    const row = rows.get(f.ruleId) ?? {
      ruleId: f.ruleId,
      rule: f.rule,
      count: 0,
      suppressed: 0,
      worst: f.severity,
    };
    if (f.suppressed) row.suppressed++;
    else row.count++;
    if (severityRank(f.severity) > severityRank(row.worst)) row.worst = f.severity;
    rows.set(f.ruleId, row);
  }
  const head = ['## Findings by rule', ''];
  if (rows.size === 0) return [...head, 'No rule reported anything.'];
  const sorted = [...rows.values()].sort(
    (a, b) => severityRank(b.worst) - severityRank(a.worst) || a.ruleId.localeCompare(b.ruleId),
  );
  return [
    ...head,
    '| Rule | Title | Highest severity | Findings | Suppressed |',
    '| --- | --- | --- | ---: | ---: |',
    ...sorted.map((row) => {
      const title = ruleByToken(row.ruleId)?.meta.title ?? '';
      const id = /^RLY\d{3}$/.test(row.ruleId)
        ? `[${row.ruleId}](${ruleHelpUri(row.ruleId)})`
        : escape(row.ruleId);
      return `| ${id} ${escape(row.rule)} | ${escape(title)} | ${row.worst} | ${row.count} | ${row.suppressed} |`;
    }),
  ];
}

function openRelays(results: readonly FileResult[], options: MarkdownOptions): string[] {
  const rows: string[] = [];
  for (const r of results) {
    for (const f of r.findings) {
      if (f.ruleId !== OPEN_RELAY) continue;
      const line = positionAt(r.file.lineStarts, f.span.start).line;
      const note = f.suppressed ? ` (suppressed: ${escape(f.suppressedBy ?? '')})` : '';
      rows.push(
        `| ${cell(f, 'server')} | ${cell(f, 'listener')} | ${cell(f, 'count')} | ${f.severity}${note} | ${place(r.path, line, options)} |`,
      );
    }
  }
  const head = ['## Open relays', ''];
  if (rows.length === 0) return [...head, 'No listener lets untrusted addresses relay.'];
  return [
    ...head,
    'Listeners that let addresses outside the trusted networks relay mail without authenticating:',
    '',
    '| Server | Listener | Untrusted addresses that can relay | Severity | Where |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

function byFile(results: readonly FileResult[], options: MarkdownOptions): string[] {
  const out = ['## Findings by file', ''];
  const listed = results.filter((r) => r.findings.length > 0);
  if (listed.length === 0) return [...out, 'No file has findings.'];
  for (const r of listed) {
    out.push(`### ${escape(r.path)}`, '');
    out.push('| Where | Severity | Rule | Message |', '| --- | --- | --- | --- |');
    for (const f of r.findings) {
      const p = positionAt(r.file.lineStarts, f.span.start);
      const severity = f.suppressed
        ? `${f.severity} (suppressed: ${escape(f.suppressedBy ?? '')})`
        : f.severity;
      out.push(
        `| ${place(r.path, p.line, options, `${p.line}:${p.column}`)} | ${severity} | ${escape(`${f.ruleId} ${f.rule}`)} | ${escape(f.message)} |`,
      );
    }
    out.push('');
  }
  const clean = results.length - listed.length;
  if (clean > 0) out.push(`${plural(clean, 'other file')} had no findings.`);
  return out;
}

function cell(f: Finding, key: string): string {
  const v = f.data?.[key];
  return v === undefined ? '—' : escape(String(v));
}

/** `file:line` (or the given label), linked when the caller can link. */
function place(
  path: string,
  line: number,
  options: MarkdownOptions,
  label = `${path}:${line}`,
): string {
  const target = options.link?.(path, line);
  if (target === undefined) return `\`${escapeControl(label).replace(/`/g, "'")}\``;
  // Control characters in a link target are percent-encoded like the characters Markdown reads.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point.
  return `[${escape(label)}](${target.replace(/[\u0000-\u001f\u007f-\u009f ()<>]/g, encodeURIComponent)})`;
}

/**
 * Escapes what Markdown would read as markup in a table cell; line breaks become spaces, other
 * control characters visible escapes.
 */
export function escape(text: string): string {
  return escapeControl(text.replace(/\r?\n|\r/g, ' ')).replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`);
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
