import { lintSource, type SourceInput } from '../lint-source.js';
import type { Finding, TextEdit } from '../model.js';
import { applyEdits } from './apply.js';

export interface FixAllResult {
  readonly text: string;
  /** Titles of the fixes applied, in order. */
  readonly applied: readonly string[];
  readonly passes: number;
}

const MAX_PASSES = 10;

/** The safe edits of a lint result (the first safe fix of each unsuppressed finding). */
export function safeEdits(findings: readonly Finding[]): { edits: TextEdit[]; titles: string[] } {
  const edits: TextEdit[] = [];
  const titles: string[] = [];
  for (const f of findings) {
    if (f.suppressed) continue;
    const fix = f.fixes.find((x) => x.safe);
    if (fix === undefined) continue;
    edits.push(...fix.edits);
    titles.push(`${f.ruleId}: ${fix.title}`);
  }
  return { edits, titles };
}

/**
 * Applies safe fixes until nothing changes (ESLint's multipass, capped at 10): fixes that
 * overlap wait for the next pass, on a freshly parsed text.
 */
export function fixAll(input: SourceInput): FixAllResult {
  let current = input.text;
  const applied: string[] = [];
  let passes = 0;
  while (passes < MAX_PASSES) {
    const { findings } = lintSource({ ...input, text: current });
    const { edits, titles } = safeEdits(findings);
    if (edits.length === 0) break;
    const result = applyEdits(current, edits);
    if (result.text === current) break;
    passes++;
    applied.push(...titles);
    current = result.text;
  }
  return { text: current, applied, passes };
}
