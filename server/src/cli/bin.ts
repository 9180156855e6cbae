#!/usr/bin/env node
import { cleanTmpFilesOnSignals } from '../host/atomic-write.js';
import { run } from './main.js';

// Process glue only: everything testable lives in run().
// An interrupted --fix leaves no temporary file behind (exit 130 on SIGINT, 143 on SIGTERM).
cleanTmpFilesOnSignals();
void run(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: process.stdout.isTTY,
  stderrIsTTY: process.stderr.isTTY,
}).then((code) => {
  process.exitCode = code;
});
