/**
 * `primaryLocationLineHash` as GitHub's SARIF upload action computes it when a result has none
 * (codeql-action `src/fingerprints.ts`), so that our value and the action's agree and alerts keep
 * their identity across uploads. The algorithm, restated:
 *
 * - read the file as UTF-16 code units; skip spaces and tabs, and a LF right after a CR; turn CR
 *   into LF; append one EOF marker (65535);
 * - keep a rolling polynomial hash (base 37, signed 64-bit wrap-around) over the last 100 kept
 *   code units;
 * - the hash of a line is the rolling hash once 100 code units have been taken from the line's
 *   first kept code unit on (padding with zeros past the end of the file), printed as unsigned
 *   hexadecimal without leading zeros;
 * - the n-th occurrence of a hash value in the file gets the suffix `:n`.
 */
const BLOCK = 100;
const MOD = 37n;
const MASK = (1n << 64n) - 1n;
const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const EOF = 65535;

const FIRST_MOD = ((): bigint => {
  let m = 1n;
  for (let i = 0; i < BLOCK; i++) m = (m * MOD) & MASK;
  return m;
})();

/** The hash of every line of `text`: element 0 is line 1. */
export function lineHashes(text: string): string[] {
  const window = new Array<number>(BLOCK).fill(0);
  const lineAt = new Array<number>(BLOCK).fill(-1);
  const out: string[] = [];
  const counts = new Map<string, number>();
  let hash = 0n;
  let index = 0;
  let line = 0;
  let lineStart = true;
  let prevCR = false;

  const emit = (): void => {
    const value = hash.toString(16);
    const n = (counts.get(value) ?? 0) + 1;
    counts.set(value, n);
    out[(lineAt[index] ?? 0) - 1] = `${value}:${n}`;
    lineAt[index] = -1;
  };
  const update = (c: number): void => {
    const begin = window[index] ?? 0;
    window[index] = c;
    // Modular arithmetic on 64 bits gives the same bits as the action's signed Long wrap-around.
    hash = (MOD * hash + BigInt(c) - FIRST_MOD * BigInt(begin)) & MASK;
    index = (index + 1) % BLOCK;
  };
  const take = (code: number): void => {
    let c = code;
    if (c === SPACE || c === TAB || (prevCR && c === LF)) {
      prevCR = false;
      return;
    }
    prevCR = c === CR;
    if (c === CR) c = LF;
    if (lineAt[index] !== -1) emit();
    if (lineStart) {
      lineStart = false;
      line++;
      lineAt[index] = line;
    }
    if (c === LF) lineStart = true;
    update(c);
  };

  for (let i = 0; i < text.length; i++) take(text.charCodeAt(i));
  take(EOF);
  for (let i = 0; i < BLOCK; i++) {
    if (lineAt[index] !== -1) emit();
    update(0);
  }
  return out;
}
