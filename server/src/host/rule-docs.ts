import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Finds `docs/rules` of the installed package by walking up from the running script: the CLI and
 * server bundles live in server/dist, compiled tests in test/out/server/src/host; all reach the
 * package root (the folder with package.json) a few levels up. Undefined when it is not shipped.
 */
export function findDocsDir(start: string = __dirname): string | undefined {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'docs', 'rules');
    if (existsSync(path.join(dir, 'package.json')) && isDir(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/**
 * The Markdown page of each rule (`RLY###.md`) by rule id. SARIF takes `help` from these pages,
 * so the help GitHub shows is the documentation itself; a missing page falls back to the rule's
 * rationale in the reporter.
 */
export function loadRuleDocs(dir: string | undefined): ReadonlyMap<string, string> {
  if (dir === undefined) return new Map();
  // The pages ship with the package and do not change while it runs: read them once.
  const cached = loaded.get(dir);
  if (cached !== undefined) return cached;
  const docs = readDocs(dir);
  loaded.set(dir, docs);
  return docs;
}

const loaded = new Map<string, ReadonlyMap<string, string>>();

function readDocs(dir: string): Map<string, string> {
  const docs = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return docs;
  }
  for (const name of names.sort()) {
    const m = /^(RLY\d{3})\.md$/.exec(name);
    if (m?.[1] === undefined) continue;
    try {
      docs.set(m[1], readFileSync(path.join(dir, name), 'utf8'));
    } catch {
      // An unreadable page only loses its help text; the rationale stands in.
    }
  }
  return docs;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
