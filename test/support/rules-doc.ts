import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Rule } from '../../server/src/core/rule.js';
import { catalog } from '../../server/src/core/rules/index.js';
import { repoRoot } from './repo-root.js';

export const START = '<!-- rules:start -->';
export const END = '<!-- rules:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

const FIXES: Readonly<Record<'safe' | 'unsafe' | 'none', string>> = {
  safe: 'safe fix',
  unsafe: 'quick fix',
  none: '',
};

function fixes(rule: Rule): string {
  return FIXES[rule.meta.fixable ?? 'none'];
}

/** The README rules table, generated from the rule metadata (sorted by id). */
export function renderRulesTable(rules: readonly Rule[] = catalog): string {
  const rows = [...rules]
    .sort((a, b) => a.meta.id.localeCompare(b.meta.id))
    .map(
      (r) =>
        `| [${r.meta.id}](docs/rules/${r.meta.id}.md) | \`${r.meta.name}\` | ${r.meta.severity} | ${cell(r.meta.title)} | ${fixes(r)} |`,
    );
  return [
    '| Rule | Name | Default severity | Finds | Fixes |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * A Markdown table as rows of trimmed cells (separator cells become `---`), so that the drift
 * check does not depend on column padding (Prettier aligns tables; the generator need not).
 */
export function tableCells(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .replace(/^\|/, '')
        .replace(/\|$/, '')
        .split(/(?<!\\)\|/)
        .map((c) => c.trim())
        .map((c) => (/^:?-+:?$/.test(c) ? '---' : c)),
    );
}

/** The table formatted as Prettier formats the README (so `npm run check` stays clean). */
export async function prettierTable(table: string): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(README())) ?? {};
  return (await prettier.format(table, { ...options, parser: 'markdown' })).trimEnd();
}

/** The text between the markers, without the blank lines around it; undefined without markers. */
export function readmeSection(readme: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + START.length, end).trim();
}

/** README text with the section between the markers replaced by `table`. */
export function withRulesTable(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`README.md has no ${START} … ${END} markers to write the rules table between`);
  return `${readme.slice(0, start + START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

export const README = (): string => path.join(repoRoot(), 'README.md');

async function main(): Promise<void> {
  const table = await prettierTable(renderRulesTable());
  if (!process.argv.includes('--write')) {
    process.stdout.write(`${table}\n`);
    return;
  }
  const file = README();
  const before = readFileSync(file, 'utf8');
  const after = withRulesTable(before, table);
  if (after !== before) writeFileSync(file, after);
  process.stdout.write(
    after === before ? 'README.md rules table is up to date\n' : 'README.md rules table written\n',
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`rules-doc: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
