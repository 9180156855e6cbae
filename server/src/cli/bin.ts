#!/usr/bin/env node
import { run } from './main.js';

// Process glue only: everything testable lives in run().
void run(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: process.stdout.isTTY,
  stderrIsTTY: process.stderr.isTTY,
}).then((code) => {
  process.exitCode = code;
});
