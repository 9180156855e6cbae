import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { explainPostfix } from '../../../server/src/core/formats/postfix/explain.js';
import type { ExplainOutcome } from '../../../server/src/core/formats/types.js';
import { repoRoot } from '../../support/repo-root.js';

/**
 * Real Postfix 3.7.11 replies to configurations the generated differential test does not draw
 * (restriction classes, warn_if_reject, defer_if_reject / defer_if_permit, client restrictions,
 * soft_bounce, reply codes, bang paths, compatibility level 0 with its fake relay list, texthash
 * partial keys, name patterns, non-FQDN recipients, unbracketed IPv6 with a type part, IP
 * literals, bad masks, leading zeros, pattern files, unknown table types, null senders …),
 * recorded once with test/oracle/worker.js on loopback and replayed here without Postfix.
 */

interface Probe {
  readonly client: string;
  readonly to: string;
  readonly from: string;
  readonly auth: boolean;
  readonly real: ExplainOutcome;
  readonly reply: string;
}

interface Case {
  readonly title: string;
  readonly mainCf: string;
  readonly masterCf: string;
  readonly files: Readonly<Record<string, string>>;
  readonly hostAddresses: readonly string[];
  readonly probes: readonly Probe[];
}

const file = path.join(repoRoot(), 'test', 'formats', 'postfix', 'core-real-replies.json');
const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: Case[] };

describe('recorded real replies (extra cases)', () => {
  for (const c of data.cases) {
    for (const p of c.probes) {
      const code = /^\d{3}/.exec(p.reply)?.[0] ?? 'none';
      test(`${c.title}: ${p.client} → ${p.to} from <${p.from}>: ${p.reply}`, () => {
        const answers = explainPostfix(
          c.mainCf,
          c.masterCf,
          {
            client: p.client,
            to: p.to,
            from: p.from,
            auth: p.auth,
            hostAddresses: c.hostAddresses,
          },
          (f) => (Object.hasOwn(c.files, f) ? c.files[f] : undefined),
        );
        const want = p.client.includes(':') ? '[::1]:2525' : '127.0.0.1:2525';
        const a = answers.find((x) => x.listener === want);
        assert.ok(a, `no answer for ${want}`);
        assert.equal(a.outcome, p.real, a.reason);
        assert.equal(a.reply, code, a.reason);
      });
    }
  }
});
