import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type AddressGroup,
  BlobError,
  buildList,
  bytesToHex,
  decodeIpSecList,
  dotted,
  encodeIpSecList,
  entriesOf,
  hexToBytes,
  type IpSecList,
  maskBytes,
  meaningOf,
  type NameGroup,
} from '../../../server/src/core/formats/iis/ipsec-blob.js';
import { repoRoot } from '../../support/repo-root.js';
import { CLOSED, SALT_127 } from './helpers.js';

const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;
function params(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, ...(seed !== undefined ? { seed } : {}) };
}

function bytes(hex: string): Uint8Array {
  return hexToBytes(hex, 0, hex.length).bytes;
}

function decodeHex(hex: string): IpSecList | undefined {
  return decodeIpSecList(bytes(hex));
}

/** The list without the byte offsets the decoder adds (what an encoder is given). */
function plain(list: IpSecList | undefined): unknown {
  if (list === undefined) return undefined;
  const addr = (gs: readonly AddressGroup[]): unknown =>
    gs.map((g) => ({
      family: g.family,
      mask: g.mask,
      fullBytes: g.fullBytes ?? maskBytes(g.mask).fullBytes,
      lastByte: g.lastByte ?? maskBytes(g.mask).lastByte,
      addresses: g.addresses.map((a) => a.value),
    }));
  const names = (gs: readonly NameGroup[]): unknown =>
    gs.map((g) => ({
      components: g.components,
      noSubdomain: g.noSubdomain,
      names: g.names.map((n) => n.name),
    }));
  return {
    flags: list.flags,
    denyAddresses: addr(list.denyAddresses),
    grantAddresses: addr(list.grantAddresses),
    denyNames: names(list.denyNames),
    grantNames: names(list.grantNames),
  };
}

function malformed(hex: string, pattern: RegExp): void {
  assert.throws(
    () => decodeHex(hex),
    (e: unknown) => e instanceof BlobError && pattern.test(e.message),
    hex.slice(0, 80),
  );
}

/** Sets a little-endian DWORD in a hex string. */
function patch(hex: string, byteOffset: number, value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return hex.slice(0, byteOffset * 2) + b.toString('hex') + hex.slice(byteOffset * 2 + 8);
}

describe('IPSECLIST blob: the real sample', () => {
  test('salt\'s "allow 127.0.0.1" decodes to one grant 127.0.0.1/255.255.255.255', () => {
    const list = decodeHex(SALT_127);
    assert.ok(list !== undefined);
    assert.equal(list.flags, 1);
    assert.deepEqual(list.denyAddresses, []);
    assert.deepEqual(list.denyNames, []);
    assert.deepEqual(list.grantNames, []);
    assert.equal(list.grantAddresses.length, 1);
    const g = list.grantAddresses[0];
    assert.equal(g?.family, 2);
    assert.equal(g?.fullBytes, 4);
    assert.equal(g?.lastByte, 0);
    assert.equal(g?.maskOffset, 76);
    assert.equal(dotted(g?.mask ?? 0), '255.255.255.255');
    assert.deepEqual(g?.addresses, [{ value: 0x7f000001, offset: 80 }]);
    assert.deepEqual(meaningOf(list), { mode: 'onlyList', side: 'grant', placeholder: false });
  });

  test('the salt DWORD groups and the hex agree (bytes as salt prints them)', () => {
    const groups =
      '24.0.0.128 32.0.0.128 60.0.0.128 68.0.0.128 1.0.0.0 76.0.0.0 0.0.0.0 0.0.0.0 1.0.0.0 1.0.0.0 2.0.0.0 2.0.0.0 4.0.0.0 0.0.0.0 76.0.0.128 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 255.255.255.255 127.0.0.1';
    const hex = groups
      .split(' ')
      .map((g) =>
        g
          .split('.')
          .map((o) => Number(o).toString(16).padStart(2, '0'))
          .join(''),
      )
      .join('');
    assert.equal(hex, SALT_127);
  });

  test('encoding "Only the list below: 127.0.0.1" gives the sample byte for byte', () => {
    const list = buildList('onlyList', [{ kind: 'address', value: 0x7f000001, mask: 0xffffffff }]);
    assert.equal(bytesToHex(encodeIpSecList(list)), SALT_127);
  });

  test('an empty "Only the list below" is the placeholder grant 0.0.0.0/255.255.255.255', () => {
    assert.equal(bytesToHex(encodeIpSecList(buildList('onlyList', []))), CLOSED);
    const m = meaningOf(decodeHex(CLOSED));
    assert.deepEqual(m, { mode: 'onlyList', side: 'grant', placeholder: true });
  });

  test('an empty value is no list: grant by default ("All except", nobody listed)', () => {
    assert.equal(decodeHex(''), undefined);
    assert.deepEqual(meaningOf(undefined), {
      mode: 'allExcept',
      side: 'deny',
      placeholder: false,
    });
  });

  test('GrantByDefault = !(grants > denies)', () => {
    const deny = buildList('allExcept', [{ kind: 'address', value: 0x0a000001, mask: 0xffffffff }]);
    assert.equal(meaningOf(deny).mode, 'allExcept');
    const both: IpSecList = {
      ...deny,
      grantAddresses: [{ family: 2, mask: 0xffffffff, addresses: [{ value: 1 }, { value: 2 }] }],
    };
    assert.equal(meaningOf(both).mode, 'onlyList');
    const tie: IpSecList = {
      ...deny,
      grantAddresses: [{ family: 2, mask: 0xffffffff, addresses: [{ value: 1 }] }],
    };
    assert.equal(meaningOf(tie).mode, 'allExcept');
  });
});

// ---------------------------------------------------------------------------------------------

const address = fc.integer({ min: 0, max: 0xffffffff });
const mask = fc.oneof(
  fc.integer({ min: 0, max: 32 }).map((p) => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0)),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const addressGroup: fc.Arbitrary<AddressGroup> = fc.record({
  family: fc.constant(2),
  mask,
  addresses: fc.array(
    address.map((value) => ({ value })),
    { maxLength: 6 },
  ),
});
const label = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const nameGroup: fc.Arbitrary<NameGroup> = fc.record({
  components: fc.integer({ min: 1, max: 6 }),
  noSubdomain: fc.boolean(),
  names: fc.array(
    fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ({ name: ls.join('.') })),
    { maxLength: 4 },
  ),
});
const ipSecList: fc.Arbitrary<IpSecList> = fc.record({
  flags: fc.constantFrom(0, 1),
  denyAddresses: fc.array(addressGroup, { maxLength: 4 }),
  grantAddresses: fc.array(addressGroup, { maxLength: 4 }),
  denyNames: fc.array(nameGroup, { maxLength: 3 }),
  grantNames: fc.array(nameGroup, { maxLength: 3 }),
});

describe('IPSECLIST blob: round trips (fast-check)', () => {
  test('encode → decode is the identity on random lists', () => {
    fc.assert(
      fc.property(ipSecList, (list) => {
        const encoded = encodeIpSecList(list);
        assert.deepEqual(plain(decodeIpSecList(encoded)), plain(list));
      }),
      params(300),
    );
  });

  test('decode → encode gives every encoded list back byte for byte', () => {
    fc.assert(
      fc.property(ipSecList, (list) => {
        const hex = bytesToHex(encodeIpSecList(list));
        const again = decodeHex(hex);
        assert.ok(again !== undefined);
        assert.equal(bytesToHex(encodeIpSecList(again)), hex);
      }),
      params(200),
    );
  });

  test('buildList keeps the entries and the mode the dialog shows', () => {
    const entry = fc.oneof(
      fc.record({ kind: fc.constant('address' as const), value: address, mask }),
      fc.record({
        kind: fc.constant('name' as const),
        name: label,
        noSubdomain: fc.boolean(),
        components: fc.constant(1),
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('onlyList' as const, 'allExcept' as const),
        fc.array(entry, { maxLength: 8 }),
        (mode, entries) => {
          const list = decodeIpSecList(encodeIpSecList(buildList(mode, entries)));
          assert.ok(list !== undefined);
          const m = meaningOf(list);
          assert.equal(m.mode, mode);
          const shown = entriesOf(list, m.side).filter(
            (e) => !(m.placeholder && e.kind === 'address'),
          );
          const key = (e: (typeof shown)[number] | (typeof entries)[number]): string =>
            e.kind === 'address'
              ? `${String(e.value)}/${String(e.mask)}`
              : `${e.name}|${String(e.noSubdomain)}`;
          assert.deepEqual(shown.map(key).sort(), entries.map(key).sort());
        },
      ),
      params(200),
    );
  });

  test('every fixture blob decodes and encodes back byte for byte', () => {
    const dirs = [
      path.join(repoRoot(), 'test', 'formats', 'iis', 'fixtures'),
      path.join(repoRoot(), 'examples', 'iis'),
    ];
    const blobs = new Set<string>([SALT_127, CLOSED]);
    for (const dir of dirs)
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml'))) {
        const text = readFileSync(path.join(dir, name), 'utf8');
        for (const m of text.matchAll(/(?:RelayIpList|IPSecurity)="([0-9a-fA-F]{48,})"/g))
          if (m[1] !== undefined) blobs.add(m[1]);
        for (const m of text.matchAll(/Value="([0-9a-fA-F]{48,})"/g))
          if (m[1] !== undefined) blobs.add(m[1]);
      }
    assert.ok(blobs.size >= 5, `only ${String(blobs.size)} fixture blobs found`);
    for (const hex of blobs) {
      const list = decodeHex(hex);
      assert.ok(list !== undefined, hex);
      assert.equal(bytesToHex(encodeIpSecList(list), /[A-F]/.test(hex)), hex);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('IPSECLIST blob: malformed input is one clear error', () => {
  test('odd length and non-hex digits', () => {
    assert.throws(() => hexToBytes('abc', 0, 3), /odd number of hex digits/);
    assert.throws(() => hexToBytes('zz00', 0, 4), /"z" at character 1 is not a hex digit/);
    assert.throws(() => hexToBytes('0g', 0, 2), /"g" at character 2 is not a hex digit/);
  });

  test('whitespace between bytes is tolerated, with each byte at its own offset', () => {
    const h = hexToBytes('ff 00\n7f', 0, 8);
    assert.deepEqual([...h.bytes], [0xff, 0, 0x7f]);
    assert.deepEqual([...h.at], [0, 3, 6]);
  });

  test('shorter than the header', () => {
    malformed('18000080', /fewer than its 24-byte header/);
  });

  test('an offset without the self-relative bit (the unexplained 0x00000002 form)', () => {
    malformed(
      '02000000010000804c000000' + SALT_127.slice(24),
      /0x00000002, not a self-relative offset/,
    );
  });

  test('an offset out of range', () => {
    malformed(patch(SALT_127, 4, 0x80000000 + 5000), /runs past the end|reference area/);
  });

  test('cRefSize out of range', () => {
    malformed(patch(SALT_127, 20, 9999), /cRefSize is 9999/);
  });

  test('an entry count that overruns the list', () => {
    malformed(patch(SALT_127, 32, 0x7fffffff), /counts 2147483647 entries, more than fit/);
  });

  test('an address count that overruns the list', () => {
    malformed(patch(SALT_127, 44, 0x10000), /more than fit in the list/);
  });

  test('header and entry address counts that disagree', () => {
    malformed(patch(SALT_127, 36, 3), /counts 3 addresses but its entries hold 1/);
  });

  test('offsets that point back into the header (a loop) are an overlap', () => {
    malformed(patch(SALT_127, 4, 0x80000000 + 24), /overlaps another part of the list/);
    malformed(patch(SALT_127, 56, 0x80000000), /overlaps another part of the list/);
  });

  test('a family other than AF_INET', () => {
    malformed(patch(SALT_127, 40, 23), /address family 23/);
  });

  test('a name without its NUL', () => {
    const list = buildList('onlyList', [
      { kind: 'name', name: 'relay.example.com', noSubdomain: true, components: 3 },
    ]);
    const hex = bytesToHex(encodeIpSecList(list));
    malformed(hex.slice(0, -2), /no terminating NUL/);
  });

  test('1 MB of entries decodes fast; 1 MB of garbage fails fast', () => {
    const many = Array.from({ length: 50_000 }, (_, i) => ({
      kind: 'address' as const,
      value: (0x0a000000 + i) >>> 0,
      mask: 0xffffffff,
    }));
    const hex = bytesToHex(encodeIpSecList(buildList('onlyList', many)));
    assert.ok(hex.length > 400_000);
    let t = Date.now();
    const list = decodeHex(hex);
    assert.equal(list?.grantAddresses[0]?.addresses.length, 50_000);
    assert.ok(Date.now() - t < 2000, 'decoding 50,000 entries took over 2 s');
    const garbage = '18000080'.repeat(262_144); // 1 MiB of offsets pointing at byte 24
    t = Date.now();
    malformed(garbage, /overlaps|not a self-relative|cRefSize|counts/);
    assert.ok(Date.now() - t < 2000, 'rejecting 1 MB of garbage took over 2 s');
  });

  test('random bytes never crash the decoder: a list or a BlobError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(40), (raw, k) => {
        // Start from a valid header half the time so the deeper checks are reached.
        const valid = Buffer.from(SALT_127, 'hex');
        const input = k % 2 === 0 ? Buffer.concat([valid.subarray(0, k), raw]) : raw;
        try {
          decodeIpSecList(input);
        } catch (e) {
          assert.ok(e instanceof BlobError, String(e));
        }
      }),
      params(500),
    );
  });
});
