import type { JsonPath } from './model.js';

/** 64-bit FNV-1a as 16 hex digits: stable across runs and platforms, no crypto dependency. */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/**
 * A finding's identity that survives moving lines: rule, file, document, JSON path of the node
 * and its normalised value (white space collapsed), but no line or column.
 */
export function fingerprintOf(parts: {
  readonly ruleId: string;
  readonly file: string;
  readonly document: number;
  readonly path: JsonPath;
  readonly value: string;
}): string {
  const value = parts.value.replace(/\s+/g, ' ').trim();
  return fnv1a64(
    [parts.ruleId, parts.file, String(parts.document), JSON.stringify(parts.path), value].join(
      '\u0000',
    ),
  );
}
