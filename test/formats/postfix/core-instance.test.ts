import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  explainPostfix,
  instanceFromTexts,
} from '../../../server/src/core/formats/postfix/explain.js';
import {
  effectiveParam,
  postfixDefault,
} from '../../../server/src/core/formats/postfix/instance.js';
import {
  mynetworksInfo,
  parseCidrPattern,
} from '../../../server/src/core/formats/postfix/tables.js';
import { serviceDown } from '../../../server/src/core/formats/postfix/restrictions.js';

describe('defaults by compatibility_level (Postfix 3.7 postconf -d)', () => {
  test('relay restrictions, mynetworks_style, relay_domains, relay-before-recipient', () => {
    assert.equal(postfixDefault('smtpd_relay_restrictions', '0'), '');
    assert.match(postfixDefault('smtpd_relay_restrictions', '1') ?? '', /defer_unauth_destination/);
    assert.equal(postfixDefault('mynetworks_style', '1'), 'subnet');
    assert.equal(postfixDefault('mynetworks_style', '2'), 'host');
    assert.equal(postfixDefault('mynetworks_style', '10'), 'host');
    assert.equal(postfixDefault('relay_domains', '1.9'), '$mydestination');
    assert.equal(postfixDefault('relay_domains', '3.6'), '');
    assert.equal(postfixDefault('smtpd_relay_before_recipient_restrictions', '3.5'), 'no');
    assert.equal(postfixDefault('smtpd_relay_before_recipient_restrictions', '3.6'), 'yes');
  });

  test('effective value: -o beats main.cf beats the default', () => {
    const i = instanceFromTexts(
      'compatibility_level = 2\nmynetworks = 10.0.0.0/8\n',
      'smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd -o mynetworks=127.0.0.0/8\n',
    );
    const [smtp, sub] = i.listeners;
    assert.ok(smtp && sub);
    assert.equal(effectiveParam(i, smtp, 'mynetworks').value, '10.0.0.0/8');
    assert.equal(effectiveParam(i, smtp, 'mynetworks').origin, 'main');
    assert.equal(effectiveParam(i, sub, 'mynetworks').value, '127.0.0.0/8');
    assert.equal(effectiveParam(i, sub, 'mynetworks').origin, 'override');
    assert.equal(effectiveParam(i, sub, 'mynetworks').items[0]?.file, 'master.cf');
    assert.equal(effectiveParam(i, smtp, 'relay_domains').origin, 'default');
    assert.equal(effectiveParam(i, smtp, 'relay_domains').value, '');
  });

  test('an unset mynetworks with an unknown host is unknown, with host addresses it is derived', () => {
    const i = instanceFromTexts('compatibility_level = 3.6\n', undefined);
    const l = i.listeners[0];
    assert.ok(l);
    assert.match(mynetworksInfo(i, l).unknown ?? '', /mynetworks_style = host/);
    const known = mynetworksInfo(i, l, ['192.0.2.2/24', '::1/128']);
    assert.deepEqual(
      known.entries.map((e) => e.item.text),
      ['192.0.2.2/32', '[::1]/128'],
    );
    const sub = instanceFromTexts('compatibility_level = 1\n', undefined);
    assert.deepEqual(
      mynetworksInfo(sub, sub.listeners[0], ['192.0.2.2/24', 'fd00::2/64']).entries.map(
        (e) => e.item.text,
      ),
      ['192.0.2.0/24', '[fd00::]/64'],
    );
  });

  test('inet_interfaces = loopback-only makes mynetworks_style computable', () => {
    const i = instanceFromTexts(
      'compatibility_level = 3.6\ninet_interfaces = loopback-only\n',
      undefined,
    );
    const l = i.listeners[0];
    assert.ok(l);
    assert.equal(l.reach, 'loopback');
    assert.deepEqual(
      mynetworksInfo(i, l).entries.map((e) => e.item.text),
      ['127.0.0.1/32', '[::1]/128'],
    );
  });
});

describe('listeners', () => {
  test('every inet smtpd service; roles from ports; reach from host or inet_interfaces', () => {
    const i = instanceFromTexts(
      'compatibility_level = 3.6\n',
      [
        'smtp inet n - y - - smtpd',
        'submission inet n - y - - smtpd',
        'smtps inet n - y - - smtpd -o smtpd_tls_wrappermode=yes',
        '127.0.0.1:10025 inet n - n - - smtpd',
        '[::1]:2525 inet n - n - - /usr/lib/postfix/sbin/smtpd',
        'pickup unix n - y 60 1 pickup',
        'smtpd pass - - y - - smtpd',
      ].join('\n'),
    );
    assert.deepEqual(
      i.listeners.map((l) => [l.name, l.port, l.role, l.reach]),
      [
        ['smtp', 25, 'inbound', 'all'],
        ['submission', 587, 'submission', 'all'],
        ['smtps', 465, 'submission', 'all'],
        ['127.0.0.1:10025', 10025, 'relay', 'loopback'],
        ['[::1]:2525', 2525, 'relay', 'loopback'],
      ],
    );
  });

  test('postscreen on port 25 hands over to the smtpd pass service and its -o', () => {
    const i = instanceFromTexts(
      'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n',
      [
        'smtp inet n - y - 1 postscreen',
        'smtpd pass - - y - - smtpd',
        '  -o mynetworks=10.0.0.0/8',
        'dnsblog unix - - y - 0 dnsblog',
      ].join('\n'),
    );
    const l = i.listeners[0] ?? assert.fail();
    assert.equal(i.listeners.length, 1);
    assert.equal(l.name, 'smtp');
    assert.equal(l.port, 25);
    assert.equal(l.frontEnd?.command.text, 'postscreen');
    assert.equal(effectiveParam(i, l, 'mynetworks').value, '10.0.0.0/8');
  });

  test('a main.cf alone gets the stock smtp service', () => {
    const i = instanceFromTexts('compatibility_level = 3.6\n', undefined);
    assert.equal(i.stockMaster, true);
    assert.deepEqual(
      i.listeners.map((l) => l.name),
      ['smtp'],
    );
  });
});

describe('service-down and config errors', () => {
  test('a main.cf syntax error stops Postfix', () => {
    const i = instanceFromTexts('compatibility_level = 3.6\nthis is not a parameter\n', undefined);
    const l = i.listeners[0];
    assert.ok(l);
    assert.match(serviceDown(i, l)?.reason ?? '', /refuses to start/);
  });

  test('a malformed compatibility_level stops Postfix', () => {
    const i = instanceFromTexts('compatibility_level = 3.x\nmynetworks = 127.0.0.0/8\n', undefined);
    assert.match(serviceDown(i, i.listeners[0] ?? assert.fail())?.reason ?? '', /malformed/);
  });

  test('an expansion cycle in a restriction list stops smtpd', () => {
    const i = instanceFromTexts(
      'compatibility_level = 3.6\nsmtpd_relay_restrictions = $a\na = $b\nb = $a\n',
      undefined,
    );
    assert.match(serviceDown(i, i.listeners[0] ?? assert.fail())?.reason ?? '', /nesting/);
  });

  test('items after permit are ignored, and the guard with them', () => {
    const i = instanceFromTexts(
      'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit, reject_unauth_destination\n',
      undefined,
    );
    const down = serviceDown(i, i.listeners[0] ?? assert.fail());
    assert.equal(down?.item?.text, 'reject_unauth_destination');
  });

  test('a restriction class with its guard counts as a guard', () => {
    const i = instanceFromTexts(
      'compatibility_level = 3.6\nsmtpd_restriction_classes = guard\nguard = reject_unauth_destination\nsmtpd_relay_restrictions = permit_mynetworks, guard\nmynetworks = 127.0.0.0/8\n',
      undefined,
    );
    const l = i.listeners[0] ?? assert.fail();
    assert.equal(serviceDown(i, l), undefined);
    const [a] = explainPostfix(
      'compatibility_level = 3.6\nsmtpd_restriction_classes = guard\nguard = reject_unauth_destination\nsmtpd_relay_restrictions = permit_mynetworks, guard\nmynetworks = 127.0.0.0/8\n',
      undefined,
      { client: '192.0.2.1', to: 'a@b.example', from: 'x@y.example', auth: false },
    );
    assert.equal(a?.outcome, 'deny');
    assert.equal(a?.reply, '554');
  });

  test('below compatibility level 3.6 the recipient list runs first', () => {
    const main = [
      'compatibility_level = 2',
      'mynetworks = 127.0.0.0/8',
      'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
      'smtpd_recipient_restrictions = defer',
    ].join('\n');
    const [old] = explainPostfix(main, undefined, {
      client: '192.0.2.1',
      to: 'a@b.example',
      from: 'x@y.example',
      auth: false,
    });
    assert.equal(old?.reply, '450');
    const [cur] = explainPostfix(main.replace('= 2', '= 3.6'), undefined, {
      client: '192.0.2.1',
      to: 'a@b.example',
      from: 'x@y.example',
      auth: false,
    });
    assert.equal(cur?.reply, '554');
  });
});

describe('mynetworks unset without host addresses', () => {
  test('loopback is known, the rest is unknown and says why', () => {
    const main = 'compatibility_level = 3.6\n';
    const q = { to: 'a@b.example', from: 'x@y.example', auth: false };
    assert.equal(
      explainPostfix(main, undefined, { ...q, client: '127.0.0.1' })[0]?.outcome,
      'allow',
    );
    assert.equal(explainPostfix(main, undefined, { ...q, client: '::1' })[0]?.outcome, 'allow');
    const other = explainPostfix(main, undefined, { ...q, client: '192.0.2.1' })[0];
    assert.equal(other?.outcome, 'unknown');
    assert.match(other?.reason ?? '', /mynetworks_style = host/);
    const sub = explainPostfix('compatibility_level = 1\n', undefined, {
      ...q,
      client: '127.9.9.9',
    });
    assert.equal(sub[0]?.outcome, 'allow');
  });
});

describe('templates', () => {
  test('a template value is unknown when reached, named by its expression', () => {
    const main = 'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8, {{ office_net }}\n';
    const q = { to: 'a@b.example', from: 'x@y.example', auth: false };
    const [inside] = explainPostfix(main, undefined, { ...q, client: '127.0.0.1' });
    assert.equal(inside?.outcome, 'allow');
    const [outside] = explainPostfix(main, undefined, { ...q, client: '192.0.2.1' });
    assert.equal(outside?.outcome, 'unknown');
    assert.match(outside?.reason ?? '', /template/);
  });
});

describe('cidr patterns (cidr_match_parse)', () => {
  test('forms, host bits and errors', () => {
    assert.equal(parseCidrPattern('10.0.0.0/8').modelText, '10.0.0.0/8');
    assert.equal(parseCidrPattern('[2001:db8::]/32').modelText, '2001:db8::/32');
    assert.equal(parseCidrPattern('[2001:db8::/32]').modelText, '2001:db8::/32');
    assert.equal(parseCidrPattern('10.1.2.3/24').hostBits, true);
    assert.match(
      parseCidrPattern('10.1.2.3/24').error ?? '',
      /perhaps you should use "10\.1\.2\.0\/24"/,
    );
    assert.match(parseCidrPattern('10.0.0.0/33').error ?? '', /bad mask length/);
    assert.match(parseCidrPattern('010.0.0.0/8').error ?? '', /bad network value/);
    // An IPv6 pattern never covers IPv4 clients (they are not seen as ::ffff:a.b.c.d).
    assert.ok(
      parseCidrPattern('[::]/0').set?.overlaps(
        parseCidrPattern('10.0.0.1').set ?? assert.fail(),
      ) === false,
    );
  });
});
