import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Siblings } from '../core/formats/types.js';
import { readUtf8File } from './read-text.js';

/** Sibling files larger than this are not read: a table or export is never that big. */
const MAX_SIBLING_BYTES = 16 * 1024 * 1024;

/**
 * Reads a text file as strict UTF-8: a file with invalid bytes throws InvalidUtf8Error (named
 * by line and column), and is reported as a file that cannot be read.
 */
export function readTextFile(file: string): string {
  return readUtf8File(file);
}

/**
 * The files beside `file`, read from disk on demand, for formats whose configuration spans
 * several files. A name may be a relative path (a Postfix `cidr:` table) or an absolute one;
 * only regular files are read, and any failure reads as "absent".
 */
export function siblingsOf(file: string, overlay?: (abs: string) => string | undefined): Siblings {
  const dir = path.dirname(path.resolve(file));
  return {
    read(name: string): string | undefined {
      const abs = path.resolve(dir, name);
      const open = overlay?.(abs);
      if (open !== undefined) return open;
      try {
        const st = statSync(abs);
        if (!st.isFile() || st.size > MAX_SIBLING_BYTES) return undefined;
        return readFileSync(abs, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
