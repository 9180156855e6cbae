// Fails when the server's modules import each other in a cycle (npm run check keeps it so).
// A small stand-in for `madge --circular`: relative imports of server/src/**/*.ts, type-only
// imports included (a cycle of types still couples the modules), depth-first with colours.
import console from 'node:console';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const root = path.resolve(import.meta.dirname, '..', 'server', 'src');
const files = readdirSync(root, { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile() && d.name.endsWith('.ts'))
  .map((d) => path.join(d.parentPath ?? d.path, d.name));
const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;
const graph = new Map();
for (const file of files) {
  const deps = [];
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const target = path.resolve(path.dirname(file), m[1].replace(/\.js$/, '.ts'));
    if (files.includes(target)) deps.push(target);
  }
  graph.set(file, deps);
}
const state = new Map();
const cycles = [];
function visit(node, stack) {
  state.set(node, 'open');
  stack.push(node);
  for (const dep of graph.get(node) ?? []) {
    if (state.get(dep) === 'open') cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
    else if (state.get(dep) === undefined) visit(dep, stack);
  }
  stack.pop();
  state.set(node, 'done');
}
for (const file of files) if (state.get(file) === undefined) visit(file, []);
if (cycles.length > 0) {
  for (const c of cycles)
    console.error(`cycle: ${c.map((f) => path.relative(root, f)).join(' → ')}`);
  process.exit(1);
}
console.log(`no import cycles among ${files.length} modules of server/src`);
