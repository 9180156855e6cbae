import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { repoRoot } from '../support/repo-root.js';
import { listenerFor, questionOf } from './compare.js';
import type { CaseResult, CaseSpec, ProbeResult, RealClass } from './types.js';

/**
 * Recorded oracle answers (test/formats/postfix/oracle-fixtures/*.json), replayed by
 * test/formats/postfix/oracle-replay.test.ts through explainPostfix without Postfix. One file
 * per configuration; the instance folder is renamed to a fixed path and the port to 2525, so a
 * fixture does not depend on the run that recorded it.
 */

export const FIXTURE_BASE = '/var/tmp/postfix-oracle';
export const FIXTURE_PORT = 2525;

export interface FixtureQuestion {
  readonly client: string;
  readonly to: string;
  readonly from: string;
  readonly auth: boolean;
  readonly hostAddresses: readonly string[];
}

export interface OracleFixture {
  /** Where it comes from: a POSTFIX-ORACLE §4 row, or a disagreement of a seeded run. */
  readonly source: string;
  readonly postfixVersion: string;
  readonly runner: 'loopback' | 'netns';
  /** main.cf exactly as the real Postfix read it (instance folder renamed). */
  readonly mainCf: string;
  readonly masterCf: string;
  /** Table and pattern files the configuration names: absolute path → content. */
  readonly files: Readonly<Record<string, string>>;
  /** Postfix's maillog warnings and fatal errors for this configuration. */
  readonly log: readonly string[];
  readonly questions: readonly {
    readonly id: string;
    readonly listener: string;
    readonly question: FixtureQuestion;
    /** What the client did about AUTH (`good` = right password, `bad` = wrong one). */
    readonly authAttempt: 'none' | 'good' | 'bad';
    readonly real: { readonly reply: string; readonly class: RealClass };
    /** The outcome explainPostfix must give: the real reply's class. */
    readonly expected: Exclude<RealClass, 'other'>;
  }[];
}

export type FixtureCandidate =
  | {
      readonly kind: 'documented';
      readonly result: CaseResult;
      readonly probe: ProbeResult;
      readonly spec: CaseSpec;
    }
  | {
      readonly kind: 'disagreement';
      readonly result: CaseResult;
      readonly probe: ProbeResult;
      readonly spec: CaseSpec | undefined;
      readonly seed: number;
    };

/** The fixtures live in the source tree (the compiled code runs from test/out). */
export function fixturesDir(): string {
  return path.join(repoRoot(), 'test', 'formats', 'postfix', 'oracle-fixtures');
}

function normalizer(result: CaseResult): (s: string) => string {
  const base = /^queue_directory = (.*)\/spool$/m.exec(result.mainCf)?.[1];
  const port = /:(\d+)$/.exec(result.listeners.v4)?.[1];
  return (s: string): string => {
    let t = base ? s.split(base).join(FIXTURE_BASE) : s;
    if (port) {
      t = t
        .split(`127.0.0.1:${port}`)
        .join(`127.0.0.1:${FIXTURE_PORT}`)
        .split(`[::1]:${port}`)
        .join(`[::1]:${FIXTURE_PORT}`);
    }
    return t;
  };
}

function fileName(c: FixtureCandidate): string {
  const id = c.result.caseId.replace(/[^A-Za-z0-9._-]/g, '_');
  if (c.kind === 'disagreement') return `seed${c.seed}-${c.result.runner}-${id}.json`;
  return c.spec.origin !== undefined ? `found-${id.replace(/^found-/, '')}.json` : `doc-${id}.json`;
}

/** Writes one fixture per configuration; returns the number of files written. */
export async function writeFixtures(
  candidates: readonly FixtureCandidate[],
  version: string,
): Promise<number> {
  const byFile = new Map<string, FixtureCandidate[]>();
  for (const c of candidates) {
    // A real answer Postfix did not classify is no fixture.
    if (c.probe.real === 'other') continue;
    const name = fileName(c);
    byFile.set(name, [...(byFile.get(name) ?? []), c]);
  }
  const dir = fixturesDir();
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, list] of byFile) {
    const first = list[0];
    if (!first) continue;
    const r = first.result;
    const norm = normalizer(r);
    const files: Record<string, string> = {};
    for (const [p, c] of Object.entries(r.files)) files[norm(p)] = c;
    const fixture: OracleFixture = {
      source:
        first.kind === 'documented'
          ? first.spec.origin !== undefined
            ? `${first.spec.origin}: ${first.spec.title}`
            : `POSTFIX-ORACLE §4: ${first.spec.title}`
          : `disagreement: ORACLE_SEED=${first.seed}, ${r.runner} case ${r.caseId}`,
      postfixVersion: version,
      runner: r.runner,
      mainCf: norm(r.mainCf),
      masterCf: norm(r.masterCf),
      files,
      // Without process ids, once each and sorted: the order of two smtpd processes varies.
      log: [...new Set(r.log.map((l) => norm(l).replace(/^([\w/-]+)\[\d+\]/, '$1[PID]')))].sort(),
      questions: list.map((c) => {
        const q = questionOf(r, c.probe);
        const real = c.probe.real;
        if (real === 'other') throw new Error('unreachable: filtered above');
        return {
          id: c.probe.probe.id,
          listener: norm(listenerFor(r, c.probe.probe.client)),
          question: {
            client: q.client,
            to: q.to,
            from: q.from,
            auth: q.auth,
            hostAddresses: q.hostAddresses ?? [],
          },
          authAttempt: c.probe.probe.auth,
          real: { reply: c.probe.reply, class: real },
          expected: real,
        };
      }),
    };
    // Formatted as `prettier --check .` (npm run check) wants it.
    const file = path.join(dir, name);
    const options = (await prettier.resolveConfig(file)) ?? {};
    fs.writeFileSync(
      file,
      await prettier.format(JSON.stringify(fixture), { ...options, filepath: file }),
    );
  }
  return byFile.size;
}
