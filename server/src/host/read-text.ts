import { readFileSync } from 'node:fs';

/**
 * A file that is not valid UTF-8. The message names the first bad byte by line and column, so
 * "cannot read x.relay.yaml: not valid UTF-8 …" tells the user where to look.
 */
export class InvalidUtf8Error extends Error {
  constructor(
    /** Offset of the first invalid byte. */
    readonly byteOffset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`not valid UTF-8 (line ${line}, column ${column}: a byte sequence cannot be decoded)`);
    this.name = 'InvalidUtf8Error';
  }
}

// ignoreBOM keeps a byte order mark in the text, so that --fix writes it back.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes UTF-8 strictly. Invalid bytes are detected by the decoder itself, never by looking
 * for U+FFFD afterwards: a valid file may contain that character (`name: "ok �"`), and must
 * then be analysed like any other.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    const bad = firstInvalidByte(bytes);
    const before = strict.decode(bytes.subarray(0, bad));
    const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
    const line = (before.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
    throw new InvalidUtf8Error(bad, line, before.length - lineStart + 1);
  }
}

/** Reads a text file as strict UTF-8; throws InvalidUtf8Error (or the fs error). */
export function readUtf8File(file: string): string {
  return decodeUtf8(readFileSync(file));
}

/**
 * Offset of the first byte that does not start or continue a well-formed UTF-8 sequence
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF); `bytes.length` when
 * every byte is well formed.
 */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return i;
    }
    i += need + 1;
  }
  return i;
}
