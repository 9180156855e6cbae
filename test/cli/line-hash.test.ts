import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lineHashes } from '../../server/src/core/report/line-hash.js';

/**
 * Values published with GitHub's upload action (codeql-action's fingerprint tests): matching
 * them means the action, finding our primaryLocationLineHash, agrees with it.
 */
const PUBLISHED: readonly [string, readonly string[]][] = [
  ['', ['c129715d7a2bc9a3:1']],
  [
    ' a\nb\n  \t\tc\n d',
    ['271789c17abda88f:1', '54703d4cd895b18:1', '180aee12dab6264:1', 'a23a3dc5e078b07b:1'],
  ],
  [
    ' hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n',
    [
      'e9496ae3ebfced30:1',
      'fb7c023a8b9ccb3f:1',
      'ce8ba1a563dcdaca:1',
      'e20e36e16fcb0cc8:1',
      'b3edc88f2938467e:1',
      'c8e28b0b4002a3a0:1',
      'c129715d7a2bc9a3:1',
    ],
  ],
  [
    ' hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r',
    [
      'e9496ae3ebfced30:1',
      'fb7c023a8b9ccb3f:1',
      'ce8ba1a563dcdaca:1',
      'e20e36e16fcb0cc8:1',
      'b3edc88f2938467e:1',
      'c8e28b0b4002a3a0:1',
      'c129715d7a2bc9a3:1',
    ],
  ],
  [
    'Lorem ipsum dolor sit amet.\n'.repeat(10),
    [
      'a7f2ff13bc495cf2:1',
      'a7f2ff13bc495cf2:2',
      'a7f2ff13bc495cf2:3',
      'a7f2ff13bc495cf2:4',
      'a7f2ff13bc495cf2:5',
      'a7f2ff13bc495cf2:6',
      'a7f2ff1481e87703:1',
      'a9cf91f7bbf1862b:1',
      '55ec222b86bcae53:1',
      'cc97dc7b1d7d8f7b:1',
      'c129715d7a2bc9a3:1',
    ],
  ],
];

test('line hashes match the values published with the upload action', () => {
  for (const [text, expected] of PUBLISHED)
    assert.deepEqual(lineHashes(text), expected, JSON.stringify(text));
});

/** The definition without the rolling window: each line hashes its next 100 kept code units. */
function naive(text: string): string[] {
  const kept: number[] = [];
  const starts: number[] = [];
  let lineStart = true;
  let prevCR = false;
  const units = Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
  for (const c of [...units, 65535]) {
    if (c === 32 || c === 9 || (prevCR && c === 10)) {
      prevCR = false;
      continue;
    }
    prevCR = c === 13;
    const k = c === 13 ? 10 : c;
    if (lineStart) starts.push(kept.length);
    lineStart = k === 10;
    kept.push(k);
  }
  const counts = new Map<string, number>();
  return starts.map((s) => {
    let h = 0n;
    for (let i = 0; i < 100; i++) h = (h * 37n + BigInt(kept[s + i] ?? 0)) & ((1n << 64n) - 1n);
    const v = h.toString(16);
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    return `${v}:${n}`;
  });
}

test('the rolling hash equals the plain definition on any text', () => {
  const char = fc.constantFrom('a', 'b', ' ', '\t', '\n', '\r', 'é', '😀', '#', ':');
  fc.assert(
    fc.property(fc.array(char, { maxLength: 400 }), (chars) => {
      const text = chars.join('');
      assert.deepEqual(lineHashes(text), naive(text));
    }),
    { numRuns: 300 },
  );
});
