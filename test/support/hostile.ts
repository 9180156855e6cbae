import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../../server/src/core/model.js';
import { repoRoot } from './repo-root.js';

/** A small seeded PRNG (mulberry32): the same "random" input on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(seed: number, length: number): Uint8Array {
  const next = seeded(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

/** Every rule fixture (`test/rules/<rule>/(in)valid-*.yaml|json`), as paths relative to the root. */
export function ruleFixtures(kind: 'valid' | 'invalid' | 'all' = 'all'): string[] {
  const root = path.join(repoRoot(), 'test', 'rules');
  const out: string[] = [];
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const name of readdirSync(path.join(root, dir.name))) {
      if (!/^(valid|invalid)-.+\.(ya?ml|json)$/.test(name)) continue;
      if (kind !== 'all' && !name.startsWith(`${kind}-`)) continue;
      out.push(path.join('test', 'rules', dir.name, name));
    }
  }
  return out.sort();
}

export function readFixture(rel: string): string {
  return readFileSync(path.join(repoRoot(), rel), 'utf8');
}

/**
 * The findings say something about the input: at least one, every message a sentence, every
 * span inside the text. Returns the findings whose message matches `expected`.
 */
export function assertClearFindings(
  text: string,
  findings: readonly Finding[],
  expected?: RegExp,
): Finding[] {
  assert.ok(findings.length > 0, 'expected at least one finding');
  for (const f of findings) {
    assert.ok(
      0 <= f.span.start && f.span.start <= f.span.end && f.span.end <= text.length,
      `${f.ruleId} span ${f.span.start}-${f.span.end} outside a text of ${text.length}`,
    );
    assert.match(f.message, /^[^a-z].*[.?]$/s, `not a sentence: ${f.message}`);
  }
  if (expected === undefined) return [...findings];
  const hits = findings.filter((f) => expected.test(f.message));
  assert.ok(
    hits.length > 0,
    `no finding matches ${String(expected)}: ${findings
      .slice(0, 5)
      .map((f) => f.message)
      .join(' | ')}`,
  );
  return hits;
}
