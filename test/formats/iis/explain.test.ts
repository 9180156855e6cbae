import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iisFormat } from '../../../server/src/core/formats/iis/format.js';
import { type ExplainQuestion, NO_SIBLINGS } from '../../../server/src/core/formats/types.js';
import { SALT_127, metabase, server } from './helpers.js';

// `explain` on a metabase: the model's answer, with a trace that names the IIS properties and
// points at where each is written.

function ask(text: string, q: Partial<ExplainQuestion>) {
  const file = iisFormat.parse('MetaBase.xml', text, NO_SIBLINGS);
  assert.deepEqual(file.problems, []);
  return iisFormat.explain(file, {
    client: '203.0.113.9',
    to: 'user@relay-lint.invalid',
    from: 'probe@relay-lint.invalid',
    auth: false,
    ...q,
  });
}

describe('IIS explain', () => {
  test('RelayIpList="" with anonymous access: any client relays; the trace names the properties', () => {
    const text = metabase(
      server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: '', ServerComment: 'Relay' }),
    );
    const [a] = ask(text, {});
    assert.ok(a !== undefined);
    assert.equal(a.outcome, 'allow');
    assert.equal(a.reply, '250');
    assert.equal(a.listener, 'Relay');
    const items = a.trace.map((s) => s.item);
    for (const item of ['IPSecurity', 'AuthFlags', 'RelayIpList'])
      assert.ok(items.includes(item), item);
    const relay = a.trace.find((s) => s.item === 'RelayIpList');
    assert.ok(relay?.span !== undefined);
    assert.equal(text.slice(relay.span.start, relay.span.end), 'RelayIpList=""');
    const auth = a.trace.find((s) => s.item === 'AuthFlags');
    assert.equal(
      auth?.span !== undefined ? text.slice(auth.span.start, auth.span.end) : '',
      'AuthAnonymous',
    );
  });

  test('"Only the list below: 127.0.0.1": an outside client is denied, 127.0.0.1 relays', () => {
    const text = metabase(server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: SALT_127 }));
    assert.equal(ask(text, {})[0]?.outcome, 'deny');
    const [local] = ask(text, { client: '127.0.0.1' });
    assert.equal(local?.outcome, 'allow');
    assert.match(local?.trace.find((s) => s.item === 'RelayIpList')?.result ?? '', /127\.0\.0\.1/);
  });

  test('IPSecurity refuses the client before relay is considered', () => {
    const text = metabase(
      server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: '', IPSecurity: SALT_127 }),
    );
    const [a] = ask(text, {});
    assert.equal(a?.outcome, 'deny');
    const conn = a?.trace.find((s) => s.item === 'IPSecurity');
    assert.match(conn?.result ?? '', /refused/);
  });

  test('authenticated relay goes by RelayForAuth (absent = on)', () => {
    const on = metabase(server(1, { AuthFlags: 'AuthBasic', RelayIpList: SALT_127 }));
    const [a] = ask(on, { auth: true });
    assert.equal(a?.outcome, 'allow');
    assert.ok(a?.trace.some((s) => s.item === 'RelayForAuth'));
    const off = metabase(
      server(1, { AuthFlags: 'AuthBasic', RelayForAuth: '0', RelayIpList: SALT_127 }),
    );
    assert.equal(ask(off, { auth: true })[0]?.outcome, 'deny');
  });

  test('anonymous off: an unauthenticated client is denied at AuthFlags', () => {
    const text = metabase(server(1, { AuthFlags: 'AuthNTLM', RelayIpList: '' }));
    const [a] = ask(text, {});
    assert.equal(a?.outcome, 'deny');
    assert.equal(a?.trace[a.trace.length - 1]?.item, 'AuthFlags');
  });

  test('a domain-name entry makes the answer unknown (reverse DNS)', () => {
    const names =
      '18000080200000802800008030000080010000004400000000000000000000000000000000000000000000000000000001000000010000000300008001000000440000806170702e6578616d706c652e636f6d00';
    const text = metabase(server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: names }));
    const [a] = ask(text, {});
    assert.equal(a?.outcome, 'unknown');
    assert.match(a?.reason ?? '', /app\.example\.com/);
  });

  test('one answer per virtual server', () => {
    const text = metabase(server(1, {}), server(2, { RelayIpList: '' }));
    assert.deepEqual(
      ask(text, {}).map((a) => [a.server, a.outcome]),
      [
        ['/LM/SmtpSvc/1', 'deny'],
        ['/LM/SmtpSvc/2', 'allow'],
      ],
    );
  });
});
