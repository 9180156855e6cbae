import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: compiled tests live in test/out, so walk up to package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (
    !existsSync(path.join(dir, 'package.json')) ||
    dir.includes(`${path.sep}out${path.sep}`) ||
    dir.endsWith(`${path.sep}out`)
  ) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the tests');
    dir = parent;
  }
  return dir;
}
