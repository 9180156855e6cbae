import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from './helpers.js';

interface ExplainJson {
  version: number;
  question: { client: string; to: string; from: string; auth: boolean };
  listeners: {
    path: string;
    server: string;
    listener: string;
    outcome: string;
    reply: string | null;
    reason: string;
    trace: { item: string; range: { start: { line: number } } | null; result: string }[];
  }[];
}

async function explain(args: readonly string[]): Promise<{ code: number; out: ExplainJson }> {
  const r = await runCli(['explain', ...args, '--format', 'json']);
  return { code: r.code, out: JSON.parse(r.stdout) as ExplainJson };
}

describe('relay-lint explain on the relay model', () => {
  test('an open relay allows an internet client, with the trace that decided it (exit 1)', async () => {
    const { code, out } = await explain([
      'examples/insecure/open-relay.relay.yaml',
      '--client',
      '203.0.113.7',
    ]);
    assert.equal(code, 1);
    assert.equal(out.version, 1);
    assert.deepEqual(out.question, {
      client: '203.0.113.7',
      to: 'user@relay-lint.invalid',
      from: 'probe@relay-lint.invalid',
      auth: false,
    });
    const [l] = out.listeners;
    assert.ok(l);
    assert.equal(l.outcome, 'allow');
    assert.equal(l.reply, '250');
    const relay = l.trace.find((s) => s.item === 'relay');
    assert.match(relay?.result ?? '', /allExcept.*the list is empty/);
    assert.equal(relay?.range?.start.line, 17, 'the relay mode where it is written');
  });

  test('a closed listener denies the same client (exit 0)', async () => {
    const { code, out } = await explain([
      'examples/secure/iis-app-relay.relay.yaml',
      '--client',
      '203.0.113.7',
    ]);
    assert.equal(code, 0);
    assert.ok(out.listeners.length > 0);
    assert.ok(out.listeners.every((l) => l.outcome !== 'allow'));
  });

  test('an authenticated client relays where authenticated sessions may', async () => {
    const anon = await explain([
      'examples/insecure/open-relay.relay.yaml',
      '--client',
      '2001:db8::1',
      '--to',
      'someone@elsewhere.example',
    ]);
    const auth = await explain([
      'examples/insecure/open-relay.relay.yaml',
      '--client',
      '2001:db8::1',
      '--auth',
    ]);
    assert.equal(anon.out.listeners[0]?.outcome, 'allow');
    assert.equal(auth.out.listeners[0]?.outcome, 'allow');
    assert.ok(auth.out.question.auth);
    assert.ok(auth.out.listeners[0]?.trace.some((s) => s.item === 'relay.allowAuthenticated'));
  });

  test('--host-addresses with prefix lengths resolves Postfix interface trust', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relay-lint-explain-'));
    try {
      writeFileSync(
        path.join(dir, 'main.cf'),
        'compatibility_level = 3.6\nmynetworks_style = subnet\n',
      );
      const unknown = await explain([dir, '--client', '10.1.2.77']);
      assert.equal(unknown.code, 0);
      assert.equal(unknown.out.listeners[0]?.outcome, 'unknown', 'the interfaces are not known');
      const known = await explain([
        dir,
        '--client',
        '10.1.2.77',
        '--host-addresses',
        '10.1.2.3/24',
      ]);
      assert.equal(known.code, 1);
      assert.equal(known.out.listeners[0]?.outcome, 'allow', 'the subnet of 10.1.2.3/24 relays');
      const outside = await explain([
        dir,
        '--client',
        '10.1.3.1',
        '--host-addresses',
        '10.1.2.3/24',
      ]);
      assert.equal(outside.out.listeners[0]?.outcome, 'deny');
      const bad = await runCli([
        'explain',
        dir,
        '--client',
        '10.1.2.77',
        '--host-addresses',
        '10.1.2.3/x',
      ]);
      assert.equal(bad.code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('usage errors exit 2 with one line on stderr', async () => {
    for (const args of [
      ['explain', 'examples/'],
      ['explain', 'examples/', '--client', '10.0.0.300'],
      ['explain', '--client', '10.0.0.1'],
      ['explain', 'examples/', '--client', '10.0.0.1', '--format', 'sarif'],
      ['explain', 'no-such-folder', '--client', '10.0.0.1'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^relay-lint: .+\n$/, args.join(' '));
    }
  });

  test('text output names each listener, its outcome and numbered steps', async () => {
    const r = await runCli([
      'explain',
      'examples/insecure/open-relay.relay.yaml',
      '--client',
      '203.0.113.7',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Client 203\.0\.113\.7, MAIL FROM:<probe@relay-lint\.invalid>/);
    assert.match(r.stdout, /ALLOW 250: the relay list lets the client relay/);
    assert.match(r.stdout, /\n {4}1\. bindings \(\d+:\d+\): /);
  });
});
