import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_CONFIG, type ProjectConfig } from '../../server/src/core/config/project-config.js';
import { lintSource } from '../../server/src/core/lint-source.js';
import { clearEntryCaches } from '../../server/src/core/relay/entry-cache.js';
import { MAIN_THREAD_MAX } from '../../server/src/lsp/linting.js';
import { startTestClient, tempWorkspace, type TempWorkspace } from '../lsp/harness.js';
import { mutate, type Mutation, mutation, relayConfig, render, style } from './relay-config.js';

// Incremental linting keeps per-entry results across lints (parsed entries by text, their
// breadth verdicts and scopes: core/relay/entry-cache.ts, breadth.ts) and, in the server, lints
// small documents on its own thread and large ones on the worker. Whatever the history of
// edits, the findings of a text must be exactly those of a cold lint of that text.

const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;
function params(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, ...(seed !== undefined ? { seed } : {}) };
}
const GUARD = { timeout: 300_000 };

/** Typing: one character of the kind an address or a keyword is made of, anywhere. */
const keystroke: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constant('insert' as const),
  at: fc.nat(),
  text: fc.constantFrom('0', '1', '2', '5', '8', '.', '/', ':', 'a', 'f', '-', ' '),
});

/** An edit: mostly keystrokes and deletions, sometimes noise that breaks the syntax. */
const edit: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: keystroke },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: mutation },
);

const THRESHOLDS: ProjectConfig = {
  ...DEFAULT_CONFIG,
  thresholds: { minPrefixIpv4: 20, minPrefixIpv6: 56 },
};

describe('property: incremental lint ≡ cold lint', () => {
  test('lint after lint of an edited text gives the findings of a cold lint', GUARD, () => {
    fc.assert(
      fc.property(
        relayConfig,
        style,
        fc.array(edit, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (config, s, edits, withThresholds) => {
          const { name, text } = render(config, s);
          const project = withThresholds ? THRESHOLDS : DEFAULT_CONFIG;
          // The warm history: every intermediate text, in both configurations, so that cached
          // verdicts of the other context are around when the last text is linted.
          let current = text;
          lintSource({ uri: name, text: current, project: THRESHOLDS });
          for (const e of edits) {
            current = mutate(current, [e]);
            lintSource({ uri: name, text: current, project });
          }
          const warm = lintSource({ uri: name, text: current, project }).findings;
          clearEntryCaches();
          const cold = lintSource({ uri: name, text: current, project }).findings;
          assert.deepStrictEqual(warm, cold, current);
        },
      ),
      params(60),
    );
  });
});

describe('property: the server publishes what a fresh server publishes', () => {
  // Two workspaces, so that the same relative name (and so the same fingerprints) is linted by
  // the edited server in one and by a fresh server in the other.
  let ws: TempWorkspace;
  let ws2: TempWorkspace;
  before(() => {
    ws = tempWorkspace();
    ws2 = tempWorkspace();
  });
  after(() => {
    ws.dispose();
    ws2.dispose();
  });

  /** A relay file of `entries` list entries, large enough for the worker when asked. */
  function bigConfig(entries: number): string {
    const lines = [
      'version: 1',
      'servers:',
      '  - name: EDGE',
      '    product: exchange',
      '    listeners:',
      '      - name: Default',
      '        authentication: { anonymous: true }',
      '        relay:',
      '          mode: onlyList',
      '          list:',
    ];
    for (let i = 0; i < entries; i++)
      lines.push(`            - ${i % 7 === 0 ? 81 : 10}.${(i >> 8) & 255}.${i & 255}.0/24`);
    return `${lines.join('\n')}\n`;
  }

  for (const [label, size] of [
    ['on the server thread (small document)', 40],
    ['on the lint worker (large document)', 3000],
  ] as const) {
    test(`random edits ${label}`, GUARD, async () => {
      const base = bigConfig(size);
      assert.equal(base.length > MAIN_THREAD_MAX, size > 100, 'the size picks the path');
      const client = await startTestClient({
        workspaceFolders: [ws.uri],
        worker: { timeoutMs: 120_000 },
      });
      const fresh = await startTestClient({
        workspaceFolders: [ws2.uri],
        worker: { timeoutMs: 120_000 },
      });
      try {
        let round = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
            round++;
            const uri = ws.uriOf(`incremental-${size}-${round}.relay.yaml`);
            let text = base;
            let version = 1;
            const opened = client.nextDiagnostics(uri);
            client.open(uri, text, version);
            await opened;
            for (const e of edits) {
              text = mutate(text, [e]);
              version++;
              client.change(uri, version, text);
            }
            const last = version;
            const got = await client.nextDiagnostics(uri, (p) => p.version === last);
            const freshUri = ws2.uriOf(`incremental-${size}-${round}.relay.yaml`);
            // Cold: this thread's caches are shared by both servers; the fresh server's worker
            // is its own.
            clearEntryCaches();
            const want = fresh.nextDiagnostics(freshUri);
            fresh.open(freshUri, text, last);
            const same = (d: unknown, root: string): string =>
              JSON.stringify(d).split(root).join('<workspace>');
            assert.equal(
              same(got.diagnostics, ws.uri),
              same((await want).diagnostics, ws2.uri),
              text,
            );
            client.close(uri);
            fresh.close(freshUri);
          }),
          params(size > 100 ? 6 : 15),
        );
      } finally {
        await client.dispose();
        await fresh.dispose();
      }
    });
  }
});
